using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Security;
using U7s.Oci;
using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// Logins and write rights on the real server: anonymous pulls, Basic logins from an htpasswd file
/// (bcrypt, as docker-registry reads it), writes per user and repository, imagemakers from the
/// authorization file, one failed-login throttle per (user, address) for both ports, and the audit trail.
/// </summary>
public sealed class AuthTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private U7sProcess _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var htpasswd = _dir.Combine("htpasswd");
        await File.WriteAllTextAsync(htpasswd, $"alice:{Bcrypt("alice-pw")}\nbob:{Bcrypt("bob-pw")}\n");
        // bob is an imagemaker for registry.local/k8s-c10f1, as create-imagemakeruser bob@registry.local/k8s-c10f1 records it.
        var signers = TestSigners.Write(_dir.Combine("etc", "signers.json"), TestSigners.Policy(("registry.local/k8s-c10f1", "bob")), ("bob", SampleKeys.SignerPublic));
        var env = new Dictionary<string, string>
        {
            ["U7S_REGISTRY__AUTH__HTPASSWD"] = htpasswd,
            ["U7S_REGISTRY__AUTH__SIGNERS"] = signers,
            ["U7S_REGISTRY__AUTH__WRITERS__alice__0"] = "team",
            ["U7S_REGISTRY__AUTH__MAXFAILEDLOGINS"] = "5",
        };
        _server = await U7sProcess.StartAsync(_dir.Combine("data"), _dir.Combine("sig"), env);
        _client = new HttpClient { BaseAddress = _server.RegistryUrl };
    }

    [Fact]
    public async Task AnonymousPull_Allowed_AnonymousPush_ChallengedWithBasic()
    {
        // The version check challenges (clients learn the login scheme there); reads themselves need none.
        using var v2 = await _client.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.Unauthorized, v2.StatusCode);
        Assert.StartsWith("Basic realm=", v2.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        using var tags = await _client.GetAsync("/v2/team/none/tags/list");
        Assert.Equal(HttpStatusCode.NotFound, tags.StatusCode);
        using var anonymousBasic = new HttpRequestMessage(HttpMethod.Get, "/v2/team/none/tags/list");
        anonymousBasic.Headers.Authorization = Basic(string.Empty, string.Empty);
        using var tagsWithEmptyBasic = await _client.SendAsync(anonymousBasic);
        Assert.Equal(HttpStatusCode.NotFound, tagsWithEmptyBasic.StatusCode);
        using var push = await _client.PostAsync("/v2/team/app/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Unauthorized, push.StatusCode);
        Assert.StartsWith("Basic realm=", push.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains("UNAUTHORIZED", await push.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongPassword_Is401EvenForReads()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        request.Headers.Authorization = Basic("alice", "nope");
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Writer_PushesUnderItsPrefixOnly_ImagemakerUnderItsScope()
    {
        Assert.Equal(HttpStatusCode.Created, await PushBlobAsync("alice", "alice-pw", "team/app"));
        Assert.Equal(HttpStatusCode.Forbidden, await PushBlobAsync("alice", "alice-pw", "other/app"));
        Assert.Equal(HttpStatusCode.Created, await PushBlobAsync("bob", "bob-pw", "k8s-c10f1/pause"));
        Assert.Equal(HttpStatusCode.Forbidden, await PushBlobAsync("bob", "bob-pw", "team/app"));

        var auditPath = _dir.Combine("data", "audit.log");
        Assert.True(!File.Exists(auditPath) || !(await File.ReadAllTextAsync(auditPath)).Contains("other/app", StringComparison.Ordinal));
    }

    [RequiresToolFact("skopeo")]
    public async Task SkopeoCreds_PushAllowed_AndRefusedWithoutThem()
    {
        using var tools = new ContainerTools();
        var layout = new OciLayoutBuilder(tools.NewDirectory("layout"));
        layout.AddImage("img");
        layout.Write();
        var target = $"docker://{_server.RegistryUrl.Authority}/team/skopeo:v1";
        var anonymous = await tools.SkopeoAsync("--policy", tools.AnyPolicy, "copy", "-q", "--dest-tls-verify=false", $"oci:{layout.Directory}:img", target);
        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.Contains("authentication required", anonymous.StandardError, StringComparison.OrdinalIgnoreCase);
        (await tools.SkopeoAsync("--policy", tools.AnyPolicy, "copy", "-q", "--dest-tls-verify=false", "--dest-creds", "alice:alice-pw", $"oci:{layout.Directory}:img", target)).EnsureSuccess("skopeo --dest-creds");
        (await tools.SkopeoAsync("inspect", "--raw", "--tls-verify=false", target)).EnsureSuccess("anonymous pull");

        var audit = (await File.ReadAllLinesAsync(_dir.Combine("data", "audit.log"))).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(audit, e => e.GetProperty("action").GetString() == "manifest.push" && e.GetProperty("user").GetString() == "alice" && e.GetProperty("repository").GetString() == "team/skopeo");
    }

    [RequiresToolFact("podman")]
    public async Task PodmanLogin_GoodAndBadPassword()
    {
        using var tools = new ContainerTools();
        var conf = tools.RegistriesConf(_server.RegistryUrl.Authority);
        var authFile = Path.Combine(tools.Directory, "auth.json");
        var good = await tools.PodmanAsync(conf, "login", "--tls-verify=false", "--authfile", authFile, "-u", "alice", "-p", "alice-pw", _server.RegistryUrl.Authority);
        good.EnsureSuccess("podman login");
        Assert.Contains("Login Succeeded", good.StandardOutput, StringComparison.Ordinal);
        var bad = await tools.PodmanAsync(conf, "login", "--tls-verify=false", "--authfile", Path.Combine(tools.Directory, "bad.json"), "-u", "alice", "-p", "wrong", _server.RegistryUrl.Authority);
        Assert.NotEqual(0, bad.ExitCode);
    }

    [Fact]
    public async Task FailedLogins_AreThrottledPerUserAndAddress_AcrossBothPorts()
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await PushBlobAsync("alice", "wrong", "team/app"));
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        request.Headers.Authorization = Basic("alice", "alice-pw");
        using var throttled = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Contains("TOOMANYREQUESTS", await throttled.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The signature store shares the throttle: the same pair is refused there unchecked, right password or not.
        Assert.Equal(HttpStatusCode.TooManyRequests, await PutSignatureAsync("alice", "alice-pw"));

        // Those failures were alice's: bob logs in from the same address on either port.
        Assert.Equal(HttpStatusCode.Created, await PushBlobAsync("bob", "bob-pw", "k8s-c10f1/pause"));
        Assert.NotEqual(HttpStatusCode.TooManyRequests, await PutSignatureAsync("bob", "bob-pw"));
    }

    [Fact]
    public async Task SignatureStore_AnswersTooManyRequests_AfterTheLimit_AndOthersStillLogIn()
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await PutSignatureAsync("bob", "guess" + i));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await PutSignatureAsync("bob", "guess5"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await PushBlobAsync("bob", "bob-pw", "k8s-c10f1/pause"));
        Assert.Equal(HttpStatusCode.Created, await PushBlobAsync("alice", "alice-pw", "team/app"));
    }

    /// <summary>
    /// A client trying a new user name on each attempt (each one a bcrypt check) runs out of its
    /// address's budget, on both ports; the same users still log in from another address, and a login
    /// remembered as correct from a moment ago still passes from the spent one.
    /// </summary>
    [Fact]
    public async Task InventedUserNames_SpendTheAddressBudget_OtherAddressesAndRememberedLoginsStillPass()
    {
        using var dir = new TempDirectory();
        var htpasswd = dir.Combine("htpasswd");
        await File.WriteAllTextAsync(htpasswd, $"alice:{Bcrypt("alice-pw")}\nbob:{Bcrypt("bob-pw")}\n");
        var env = new Dictionary<string, string>
        {
            ["U7S_REGISTRY__AUTH__HTPASSWD"] = htpasswd,
            ["U7S_REGISTRY__AUTH__MAXFAILEDLOGINS"] = "5",
            ["U7S_REGISTRY__AUTH__MAXFAILEDLOGINSPERADDRESS"] = "8",
        };
        await using var server = await U7sProcess.StartAsync(dir.Combine("data"), dir.Combine("sig"), env);
        using var here = new HttpClient { BaseAddress = server.RegistryUrl };
        using var elsewhere = FromAddress(IPAddress.Parse("127.0.0.2"), server.RegistryUrl);
        using var store = new HttpClient { BaseAddress = server.SigstoreUrl };

        // alice logs in first, so her login is remembered (no check needed next time).
        Assert.Equal(HttpStatusCode.OK, await VersionCheckAsync(here, "alice", "alice-pw"));
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await VersionCheckAsync(here, $"nobody{i}", "guess"));
        }

        // Spent: a new name is refused unchecked, on :80 and on :81, and so is bob, whose login would need a check.
        using (var refused = await SendAsync(here, "nobody8", "guess"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Contains("from this address", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await VersionCheckAsync(here, "bob", "bob-pw"));
        using (var put = new HttpRequestMessage(HttpMethod.Put, $"/sigstore/k8s-c10f1/pause@sha256={new string('0', 64)}/signature") { Content = new ByteArrayContent([0xA3, 1]) })
        {
            put.Headers.Authorization = Basic("nobody9", "guess");
            using var answer = await store.SendAsync(put);
            Assert.Equal(HttpStatusCode.TooManyRequests, answer.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, await VersionCheckAsync(here, "alice", "alice-pw"));
        Assert.Equal(HttpStatusCode.OK, await VersionCheckAsync(elsewhere, "bob", "bob-pw"));
        Assert.Equal(HttpStatusCode.Unauthorized, await VersionCheckAsync(elsewhere, "nobody10", "guess"));
    }

    [Fact]
    public async Task AnonymousPullOff_ReadsNeedALogin()
    {
        using var dir = new TempDirectory();
        var htpasswd = dir.Combine("htpasswd");
        await File.WriteAllTextAsync(htpasswd, $"alice:{Bcrypt("alice-pw")}\n");
        var env = new Dictionary<string, string> { ["U7S_REGISTRY__AUTH__HTPASSWD"] = htpasswd, ["U7S_REGISTRY__AUTH__ANONYMOUSPULL"] = "false" };
        await using var server = await U7sProcess.StartAsync(dir.Combine("data"), dir.Combine("sig"), env);
        using var client = new HttpClient { BaseAddress = server.RegistryUrl };
        using var anonymous = await client.GetAsync("/v2/team/app/tags/list");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.StartsWith("Basic realm=", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/team/app/tags/list");
        request.Headers.Authorization = Basic("alice", "alice-pw");
        using var loggedIn = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, loggedIn.StatusCode);
        Assert.Contains("NAME_UNKNOWN", await loggedIn.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<HttpStatusCode> PushBlobAsync(string user, string password, string repository)
    {
        var content = Encoding.UTF8.GetBytes($"blob for {repository} {Guid.NewGuid()}");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v2/{repository}/blobs/uploads/?digest={Digest.Compute(content)}") { Content = new ByteArrayContent(content) };
        request.Headers.Authorization = Basic(user, password);
        using var response = await _client.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>A PUT on :81; the body is never looked at unless the login passes.</summary>
    private async Task<HttpStatusCode> PutSignatureAsync(string user, string password)
    {
        using var store = new HttpClient { BaseAddress = _server.SigstoreUrl };
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/sigstore/k8s-c10f1/pause@sha256={new string('0', 64)}/signature") { Content = new ByteArrayContent([0xA3, 1]) };
        request.Headers.Authorization = Basic(user, password);
        using var response = await store.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> VersionCheckAsync(HttpClient client, string user, string password)
    {
        using var response = await SendAsync(client, user, password);
        return response.StatusCode;
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string user, string password)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        request.Headers.Authorization = Basic(user, password);
        return client.SendAsync(request);
    }

    /// <summary>A client whose connections come from <paramref name="source"/> (another loopback address: another client to the server).</summary>
    private static HttpClient FromAddress(IPAddress source, Uri baseAddress) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { BaseAddress = baseAddress };

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    private static string Bcrypt(string password) =>
        OpenBsdBCrypt.Generate("2y", password.ToCharArray(), SecureRandom.GetNextBytes(new SecureRandom(), 16), 10);

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        _dir.Dispose();
    }
}
