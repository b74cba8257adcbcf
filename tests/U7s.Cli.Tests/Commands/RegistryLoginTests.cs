using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using U7s.Cli.Tests.Support;
using U7s.Cli.Wiring.Login;
using U7s.Loader.Generator;
using U7s.Loader.Loading;
using U7s.Loader.Names;
using U7s.Loader.Registry;
using U7s.Security.Login;
using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// The CLI's logins against real registries: Debian's docker-registry with <c>auth: htpasswd</c> (an auth file
/// written by the real <c>podman login</c>) and with <c>auth: token</c> trusting a token service the test runs
/// (real ES256 JWTs the registry verifies); the product pushes through the same handler it reads through, and
/// skopeo checks what it pushed. Also: redirects to another host carry no login, and a token response is bounded.
/// </summary>
public sealed class RegistryLoginTests : IDisposable
{
    private static readonly string Repository = "k8s-c10f1/kube-apiserver";
    private static readonly string Image = $"registry.local/{Repository}:{U7s.Cluster.Kubeadm.KubeadmImages.DefaultKubernetesVersion}";
    private const string Secret = "s3cret-Pw-7781";

    private readonly TempDirectory _dir = new("u7s-login");

    public void Dispose() => _dir.Dispose();

    [RequiresToolFact("docker-registry", "podman", "skopeo")]
    public async Task Htpasswd_AuthFileFromPodmanLogin_PushesAndSaves_WithoutLoginOrWithAWrongOne_OneLineWithoutTheSecret()
    {
        using var tools = new ContainerTools();
        var authFile = _dir.Combine("auth.json");
        await using var registry = await StartHtpasswdRegistryAsync(tools, authFile);

        // The product pushes with the file podman wrote (blob uploads stream: the handler learns the challenge first).
        var pushed = await PushAsync(registry.HostPort, RegistryLogin.FromFiles(authFile));
        var inspect = await tools.SkopeoAsync("inspect", "--raw", "--tls-verify=false", "--creds", $"alice:{Secret}", $"docker://{registry.HostPort}/{Image["registry.local/".Length..]}");
        Assert.True(inspect.ExitCode == 0, inspect.StandardError);
        Assert.Equal(pushed, U7s.Oci.Digest.Compute(Encoding.UTF8.GetBytes(inspect.StandardOutput)));

        var saved = await SaveAsync(registry.HostPort, "--authfile", authFile);
        Assert.True(saved.ExitCode == ExitCodes.Success, saved.Stderr);
        Assert.Contains(pushed.ToString(), saved.Stdout, StringComparison.Ordinal);

        var anonymous = await SaveAsync(registry.HostPort, "--authfile", EmptyAuthFile());
        Assert.Equal(ExitCodes.Unavailable, anonymous.ExitCode);
        Assert.Contains("401", anonymous.Stderr, StringComparison.Ordinal);

        const string Wrong = "wrong-Pw-99231";
        var wrong = await SaveAsync(registry.HostPort, "--creds", $"alice:{Wrong}");
        Assert.Equal(ExitCodes.Unavailable, wrong.ExitCode);
        Assert.Single(wrong.Stderr.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain(Wrong, wrong.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes($"alice:{Wrong}")), wrong.Stderr, StringComparison.Ordinal);
    }

    [RequiresToolFact("docker-registry", "podman")]
    public async Task Htpasswd_RealProcess_FindsTheLoginThroughRegistryAuthFile()
    {
        using var tools = new ContainerTools();
        var authFile = _dir.Combine("podman-auth.json");
        await using var registry = await StartHtpasswdRegistryAsync(tools, authFile);
        await PushAsync(registry.HostPort, RegistryLogin.FromFiles(authFile));
        var home = _dir.Combine("home");
        Directory.CreateDirectory(home);
        string[] Args(string output) => ["save-oci", _dir.Combine(output), "amd64", Image, "--registry", $"http://{registry.HostPort}/"];

        var withEnv = await U7sProcess.RunAsync(Args("with.tar.xz"), new Dictionary<string, string?> { ["REGISTRY_AUTH_FILE"] = authFile, ["HOME"] = home, ["XDG_RUNTIME_DIR"] = null });
        var without = await U7sProcess.RunAsync(Args("without.tar.xz"), new Dictionary<string, string?> { ["REGISTRY_AUTH_FILE"] = null, ["HOME"] = home, ["XDG_RUNTIME_DIR"] = null });

        Assert.True(withEnv.ExitCode == ExitCodes.Success, withEnv.StandardError);
        Assert.True(without.ExitCode == ExitCodes.Unavailable, without.StandardError);
        Assert.Contains("401", without.StandardError, StringComparison.Ordinal);
    }

    [RequiresToolFact("docker-registry", "skopeo")]
    public async Task TokenAuth_LoginPushes_AnonymousPulls_TokensCachedPerScope_StaleTokenRetriedOnce()
    {
        await using var issuer = await TokenIssuer.StartAsync(new Dictionary<string, string> { ["bob"] = Secret });
        await using var registry = await DebianDockerRegistry.StartAsync(issuer.RegistryAuth);

        var pushed = await PushAsync(registry.HostPort, RegistryLogin.With(new RegistryCredential("bob", Secret)));
        var bobBasic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"bob:{Secret}"));
        Assert.Contains(issuer.Requests, r => r.Authorization == bobBasic && r.Query.Contains("pull%2Cpush", StringComparison.Ordinal));
        using var tools = new ContainerTools();
        var inspect = await tools.SkopeoAsync("inspect", "--raw", "--tls-verify=false", "--creds", $"bob:{Secret}", $"docker://{registry.HostPort}/{Image["registry.local/".Length..]}");
        Assert.True(inspect.ExitCode == 0, inspect.StandardError);
        Assert.Equal(pushed, U7s.Oci.Digest.Compute(Encoding.UTF8.GetBytes(inspect.StandardOutput)));

        // Anonymous: tokens without a login, one per scope however many requests the save makes in it.
        issuer.Requests.Clear();
        var saved = await SaveAsync(registry.HostPort, "--authfile", EmptyAuthFile());
        Assert.True(saved.ExitCode == ExitCodes.Success, saved.Stderr);
        Assert.All(issuer.Requests, r => Assert.Null(r.Authorization));
        Assert.Contains(issuer.Requests, r => r.Query.Contains("scope=repository%3Ak8s-c10f1%2Fkube-apiserver%3Apull", StringComparison.Ordinal));
        Assert.Equal(issuer.Requests.Count, issuer.Requests.Select(r => r.Query).Distinct().Count());

        // A cached token the registry no longer takes (its key rotated), though it has not expired: one fresh token, one retry.
        issuer.Requests.Clear();
        issuer.SpoilNext(1);
        using (var http = Wiring.RemoteHttp.Create(TimeSpan.FromMinutes(1), RegistryLogin.Anonymous))
        {
            // docker-registry answers "manifest unknown" to a client that does not accept the OCI types.
            http.DefaultRequestHeaders.Accept.ParseAdd("application/vnd.oci.image.index.v1+json");
            http.DefaultRequestHeaders.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
            var manifest = new Uri($"http://{registry.HostPort}/v2/{Repository}/manifests/{U7s.Cluster.Kubeadm.KubeadmImages.DefaultKubernetesVersion}");
            using var first = await http.GetAsync(manifest);
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, first.StatusCode);
            using var second = await http.GetAsync(manifest);
            Assert.Equal(System.Net.HttpStatusCode.OK, second.StatusCode);
            Assert.Equal(2, issuer.Requests.Count);
            using var third = await http.GetAsync(manifest);
            Assert.Equal(System.Net.HttpStatusCode.OK, third.StatusCode);
            Assert.Equal(2, issuer.Requests.Count);
        }

        // No anonymous tokens and no login: one line naming the token service and the fix.
        issuer.AnonymousPull = false;
        var refused = await SaveAsync(registry.HostPort, "--authfile", EmptyAuthFile());
        Assert.Equal(ExitCodes.Unavailable, refused.ExitCode);
        Assert.Contains($"the token service {issuer.Realm} refused an anonymous token (401): give a login", refused.Stderr, StringComparison.Ordinal);

        const string Wrong = "wrong-Pw-41177";
        var wrong = await SaveAsync(registry.HostPort, "--creds", $"bob:{Wrong}");
        Assert.Equal(ExitCodes.Unavailable, wrong.ExitCode);
        Assert.Contains("refused the login of bob (401)", wrong.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, wrong.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Redirect_ToAnotherHost_CarriesNeitherTheLoginNorTheToken(bool bearer)
    {
        await using var issuer = await TokenIssuer.StartAsync(new Dictionary<string, string> { ["alice"] = Secret });
        await using var elsewhere = await HostileServer.StartAsync(h => h.Map("/{**rest}", context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }));
        var challenge = bearer ? $"Bearer realm=\"{issuer.Realm}\",service=\"{TokenIssuer.Service}\"" : "Basic realm=\"test\"";
        await using var origin = await HostileServer.StartAsync(h => h.Map("/v2/{**rest}", context =>
        {
            if (context.Request.Headers.Authorization.Count == 0)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = challenge;
                return Task.CompletedTask;
            }

            return HostileServer.Redirect(new Uri(elsewhere.BaseAddress, context.Request.Path).ToString())(context);
        }));

        var result = await CommandHarness.RunCliAsync("save-oci", _dir.Combine("out.tar.xz"), "amd64", Image, "--registry", origin.BaseAddress.ToString(), "--creds", $"alice:{Secret}");

        Assert.NotEqual(ExitCodes.Success, result.ExitCode);
        Assert.Contains(origin.Requests, r => r.Authorization?.StartsWith(bearer ? "Bearer " : "Basic ", StringComparison.Ordinal) == true);
        Assert.NotEmpty(elsewhere.Requests);
        Assert.All(elsewhere.Requests, r => Assert.Null(r.Authorization));
    }

    [Fact]
    public async Task CachedToken_IsNeverHandedToAnotherServerNamingTheSameTokenServiceAndScope()
    {
        await using var issuer = await TokenIssuer.StartAsync([]);
        var challenge = $"Bearer realm=\"{issuer.Realm}\",service=\"{TokenIssuer.Service}\",scope=\"repository:app:pull\"";
        var refuseNextToken = false;
        RequestDelegate Registry(bool canRefuse) => context =>
        {
            // The test's requests go one at a time: the flag needs no lock.
            var refuse = canRefuse && refuseNextToken;
            refuseNextToken &= !canRefuse;
            if (context.Request.Headers.Authorization.Count == 0 || refuse)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = challenge;
            }

            return Task.CompletedTask;
        };
        await using var registry = await HostileServer.StartAsync(h => h.Map("/v2/{**rest}", Registry(canRefuse: true)));
        await using var copycat = await HostileServer.StartAsync(h => h.Map("/v2/{**rest}", Registry(canRefuse: false)));
        using var http = Wiring.RemoteHttp.Create(TimeSpan.FromMinutes(1), RegistryLogin.Anonymous);
        async Task GetAsync(HostileServer server)
        {
            using var response = await http.GetAsync(new Uri(server.BaseAddress, "/v2/app/manifests/1"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Both learn their challenge; then the registry refuses its cached token once and is given a fresh one, the
        // newest token for that realm, service and scope; then the copycat is asked again with what is cached.
        await GetAsync(registry);
        await GetAsync(copycat);
        refuseNextToken = true;
        await GetAsync(registry);
        await GetAsync(copycat);

        var registryTokens = registry.Requests.Select(r => r.Authorization).OfType<string>().ToHashSet();
        var copycatTokens = copycat.Requests.Select(r => r.Authorization).OfType<string>().ToList();
        Assert.Equal(2, registryTokens.Count); // its first token, then the fresh one: never the copycat's
        Assert.NotEmpty(copycatTokens);
        Assert.All(copycatTokens, token => Assert.DoesNotContain(token, registryTokens));
    }

    [Fact]
    public async Task EndlessTokenResponse_IsRefusedPastItsLimit_NotReadWhole()
    {
        await using var server = await HostileServer.StartAsync(h =>
        {
            h.Map("/token", h.Endless("application/json", "{\"token\":\"", "a", 256L << 20));
            h.Map("/v2/{**rest}", context =>
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = $"Bearer realm=\"{context.Request.Scheme}://{context.Request.Host}/token\",service=\"s\"";
                return Task.CompletedTask;
            });
        });

        var result = await CommandHarness.RunCliAsync("save-oci", _dir.Combine("out.tar.xz"), "amd64", Image, "--registry", server.BaseAddress.ToString(), "--authfile", EmptyAuthFile());

        Assert.Equal(ExitCodes.Unavailable, result.ExitCode);
        Assert.Contains("sent a response larger than 64 KiB", result.Stderr, StringComparison.Ordinal);
        Assert.True(server.BytesSent < 32L << 20, $"the server sent {server.BytesSent} bytes before the client stopped");
    }

    [Fact]
    public async Task HttpsRegistry_NamingAPlainHttpTokenService_IsRefused()
    {
        var handler = new RegistryAuthHandler(RegistryLogin.With(new RegistryCredential("alice", Secret)), TimeProvider.System, new ChallengeOnly("Bearer realm=\"http://127.0.0.1:9/token\",service=\"s\""));
        using var http = new HttpClient(handler);

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri("https://registry.example:5000/v2/a/manifests/1")));

        Assert.Contains("plain-http token service", e.Message, StringComparison.Ordinal);
    }

    /// <summary>docker-registry with <c>auth: htpasswd</c> (alice) and the auth file the real <c>podman login</c> writes for it.</summary>
    private static async Task<DebianDockerRegistry> StartHtpasswdRegistryAsync(ContainerTools tools, string authFile)
    {
        var registry = await DebianDockerRegistry.StartAsync(dir =>
        {
            new HtpasswdFile(Path.Combine(dir, "htpasswd")).Set("alice", Secret);
            return $"htpasswd:\n  realm: test\n  path: {Path.Combine(dir, "htpasswd")}";
        });
        var login = await tools.PodmanAsync(tools.RegistriesConf(registry.HostPort), "login", "--authfile", authFile, "--tls-verify=false", "-u", "alice", "-p", Secret, registry.HostPort);
        if (login.ExitCode != 0)
        {
            await registry.DisposeAsync();
            Assert.Fail($"podman login failed: {login.StandardError}");
        }

        return registry;
    }

    private string EmptyAuthFile()
    {
        var path = _dir.Combine("empty-auth.json");
        File.WriteAllText(path, "{\"auths\":{}}");
        return path;
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> SaveAsync(string hostPort, params string[] login) =>
        CommandHarness.RunCliAsync(["save-oci", _dir.Combine($"saved-{Guid.NewGuid():N}.tar.xz"), "amd64", Image, "--registry", $"http://{hostPort}/", .. login]);

    /// <summary>Pushes two generated images with the product's own client and login; the first image's manifest digest.</summary>
    private async Task<U7s.Oci.Digest> PushAsync(string hostPort, RegistryLogin login)
    {
        var archive = await ArchiveGenerator.WriteAsync(_dir.Combine($"gen-{Guid.NewGuid():N}.tar.xz"), new GeneratorOptions { ImageCount = 2, Seed = 7 }, CancellationToken.None);
        using var http = Wiring.RemoteHttp.Create(TimeSpan.FromMinutes(2), login);
        var loader = new ArchiveLoader(new RegistryHttpSink(new RegistryClient(http, new Uri($"http://{hostPort}/"))), null, null);
        await loader.LoadAsync(new LoadRequest { ArchivePath = archive.Path, Architecture = "amd64", Names = NameMapper.Create(null, "k8s-c10f1", null) }, CancellationToken.None);
        return archive.Images.Single(i => i.RefName.Contains("/kube-apiserver:", StringComparison.Ordinal)).ManifestDigest;
    }

    /// <summary>Answers every request with a 401 and one challenge; nothing leaves the process.</summary>
    private sealed class ChallengeOnly(string challenge) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage(System.Net.HttpStatusCode.Unauthorized);
            response.Headers.TryAddWithoutValidation("WWW-Authenticate", challenge);
            return Task.FromResult(response);
        }
    }
}
