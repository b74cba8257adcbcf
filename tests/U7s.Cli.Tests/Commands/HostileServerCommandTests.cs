using System.Text;
using Microsoft.AspNetCore.Http;
using U7s.Cli.Tests.Support;
using U7s.Oci;
using U7s.Oci.Policy;
using U7s.Sigstore.Store;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// <c>status</c> and <c>verify</c> against servers that answer as an attacker would (a real Kestrel on 127.0.0.1):
/// redirects to <c>file:</c> URLs and to other hosts, endless chunked bodies. The CLI answers one line and a nonzero
/// exit code, never a stack trace; it reads no more than it keeps (the bytes the server's sockets took say so);
/// and credentials never follow a redirect to another origin.
/// </summary>
public sealed class HostileServerCommandTests : IDisposable
{
    private const long Offered = 200L << 20;

    private static readonly byte[] Manifest = Encoding.UTF8.GetBytes(
        """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}""");

    private readonly TempDirectory _dir = new("u7s-hostile");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Status_RedirectToAFileUrl_IsOneLine_NotAStackTrace()
    {
        await using var hostile = await HostileServer.StartAsync(h => h.Map("/ui/status.json", HostileServer.Redirect("file:///etc/passwd")));

        var (code, stdout, stderr) = await CliAsync("status", "--registry-url", hostile.BaseAddress.ToString());

        Assert.Equal(ExitCodes.Unavailable, code);
        Assert.Empty(stdout);
        AssertOneLine(stderr, "redirected to file: URLs are not followed");
    }

    [Fact]
    public async Task StatusWithPolicy_RowsThatAreNoImage_RefusedRows_NotAStackTrace()
    {
        // With --policy the rows are judged here: a digest or name the server made up must become a refused row.
        const string Status = """{"generatedAt":"2025-01-01T00:00:00Z","enforcement":"off","hasPolicy":false,"filter":{},"images":[{"repository":"app","tag":"1","digest":"sha256:nothex","mediaType":"x","size":1,"allowed":true,"requiresSignature":false,"verdict":"accepted","signatures":[]},{"repository":"UPPER\u001b[31m","tag":"1","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","mediaType":"x","size":1,"allowed":true,"requiresSignature":false,"verdict":"accepted","signatures":[]}],"recentEvents":[]}""";
        await using var hostile = await HostileServer.StartAsync(h => h.Map("/ui/status.json", context => context.Response.WriteAsync(Status)));
        var policy = _dir.Combine("policy.json");
        await File.WriteAllTextAsync(policy, """{"default":[{"type":"reject"}]}""");

        var (code, stdout, stderr) = await CliAsync("status", "--registry-url", hostile.BaseAddress.ToString(), "--policy", policy);

        // Every row is refused, so status exits as verify does for a refused image.
        Assert.True(code == ExitCodes.Refused, stderr);
        var rows = stdout.Split('\n').Skip(1).Where(l => !l.StartsWith('#') && l.Length > 0).ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Contains("\trefused: not an image name and digest: ", r, StringComparison.Ordinal));
        Assert.DoesNotContain("\u001b", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_EndlessJson_IsRefusedPastItsLimit_NotReadWhole()
    {
        await using var hostile = await HostileServer.StartAsync(h => h.Map("/ui/status.json", h.Endless("application/json", "{\"images\":[", "{\"repository\":\"a\",\"tag\":\"1\"},", Offered)));

        var (code, _, stderr) = await CliAsync("status", "--registry-url", hostile.BaseAddress.ToString());

        Assert.Equal(ExitCodes.Unavailable, code);
        AssertOneLine(stderr, "sent a status larger than 64 MiB");
        Assert.True(hostile.BytesSent < 96L << 20, $"the server sent {hostile.BytesSent} bytes before the client stopped");
    }

    [Fact]
    public async Task Status_Credentials_FollowARedirectOnTheSameOrigin_NeverToAnother()
    {
        const string Status = """{"generatedAt":"2025-01-01T00:00:00Z","enforcement":"off","hasPolicy":false,"filter":{},"images":[],"recentEvents":[]}""";
        await using var elsewhere = await HostileServer.StartAsync(h => h.Map("/ui/status.json", context => context.Response.WriteAsync(Status)));
        await using var origin = await HostileServer.StartAsync(h =>
        {
            // The origin asks for the login (Basic), then redirects within itself, then elsewhere.
            h.Map("/ui/status.json", context =>
            {
                if (context.Request.Headers.Authorization.Count == 0)
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    context.Response.Headers.WWWAuthenticate = "Basic realm=\"u7s\"";
                    return Task.CompletedTask;
                }

                return HostileServer.Redirect("/moved/status.json")(context);
            });
            h.Map("/moved/status.json", HostileServer.Redirect(new Uri(elsewhere.BaseAddress, "/ui/status.json").ToString()));
        });
        var password = _dir.Combine("password");
        await File.WriteAllTextAsync(password, "secret\n");

        var (code, _, stderr) = await CliAsync("status", "--registry-url", origin.BaseAddress.ToString(), "--user", "alice", "--password-file", password);

        Assert.True(code == ExitCodes.Success, stderr);
        var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:secret"));
        Assert.Equal([null, basic, basic], origin.Requests.Select(r => r.Authorization));
        var (path, authorization) = Assert.Single(elsewhere.Requests);
        Assert.StartsWith("/ui/status.json", path, StringComparison.Ordinal);
        Assert.Null(authorization);
    }

    [Fact]
    public async Task Status_NamesAndUserIdsFromTheServer_CannotWriteRowsOrDriveTheTerminal()
    {
        // Every string of the JSON is the server's: repository, tag, verdict, signer, identity, reason, audit user.
        const string Evil = @"x\u001b[2J\n\tforged\u202e";
        var status = $$"""
            {"generatedAt":"2025-01-01T00:00:00Z","enforcement":"{{Evil}}","hasPolicy":true,"filter":{},
             "images":[{"repository":"{{Evil}}","tag":"{{Evil}}","digest":"sha256:1","mediaType":"m","size":1,"pushed":null,"allowed":false,"requiresSignature":true,
               "verdict":"{{Evil}}","signatures":[{"index":1,"signer":"{{Evil}}","fingerprint":"{{Evil}}","identity":"{{Evil}}","isValid":false,"reason":"{{Evil}}"}]}],
             "recentEvents":[{"time":"2025-01-01T00:00:00Z","user":"{{Evil}}","action":"{{Evil}}","repository":"{{Evil}}","digest":"{{Evil}}"}]}
            """;
        await using var hostile = await HostileServer.StartAsync(h => h.Map("/ui/status.json", context => context.Response.WriteAsync(status)));

        var (code, stdout, stderr) = await CliAsync("status", "--registry-url", hostile.BaseAddress.ToString());

        Assert.True(code == ExitCodes.Refused, stderr);
        var lines = stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.Equal(7, lines[1].Split('\t').Length);
        Assert.StartsWith(@"x\x1b[2J\n\tforged\u{202E}" + "\t", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain(stdout, c => char.IsControl(c) && c is not '\n' and not '\t');
        Assert.DoesNotContain('\u202e', stdout);
    }

    [Fact]
    public async Task Verify_ManifestRedirectedToAFileUrl_IsOneLine_NotAStackTrace()
    {
        await using var hostile = await HostileServer.StartAsync(h => h.Map("/v2/app/manifests/v1", HostileServer.Redirect("file:///etc/passwd")));

        var (code, _, stderr) = await CliAsync("verify", "registry.local/app:v1", "--registry-url", hostile.BaseAddress.ToString(), "--sigstore-root", _dir.Path, "--keyring", SampleKeys.PathOf("signer.pub.asc"));

        Assert.Equal(ExitCodes.Unavailable, code);
        AssertOneLine(stderr, "redirected to file: URLs are not followed");
    }

    [Fact]
    public async Task Verify_EndlessChunkedSignature_IsOneLine_NotReadWhole()
    {
        await using var hostile = await StartImageServerAsync(h => h.Endless("application/octet-stream", string.Empty, "\u001b[2J", Offered));

        var (code, _, stderr) = await CliAsync(
            "verify", "registry.local/app:v1", "--registry-url", hostile.BaseAddress.ToString(), "--lookaside", new Uri(hostile.BaseAddress, "/sigstore/").ToString(), "--sigstore-root", _dir.Path, "--keyring", SampleKeys.PathOf("signer.pub.asc"));

        Assert.Equal(ExitCodes.Unavailable, code);
        AssertOneLine(stderr, "larger than 4 MiB");
        Assert.True(hostile.BytesSent < 32L << 20, $"the server sent {hostile.BytesSent} bytes before the client stopped");
    }

    [Fact]
    public async Task PreflightJudge_EndlessChunkedSignature_FailsTheRead_NotReadWhole()
    {
        await using var hostile = await StartImageServerAsync(h => h.Endless("application/octet-stream", string.Empty, "x", Offered));
        using var http = Wiring.RemoteHttp.Create(TimeSpan.FromSeconds(30));
        await WriteNodePolicyAsync();
        var judge = new Wiring.NodeImageJudge(http, new U7s.Cluster.Files.NodeRoot(_dir.Path), TimeProvider.System, hostile.BaseAddress, new Uri(hostile.BaseAddress, "/sigstore/"));

        var e = await Assert.ThrowsAsync<ImageJudgeException>(() => judge.JudgeAsync(Reference.Parse("registry.local/app:v1"), default));

        Assert.Equal(Digest.Compute(Manifest), e.Manifest);
        Assert.Contains("larger than 4 MiB", e.Message, StringComparison.Ordinal);
        Assert.True(hostile.BytesSent < 32L << 20, $"the server sent {hostile.BytesSent} bytes before the client stopped");
    }

    [Fact]
    public async Task PreflightJudge_APayloadsIdentity_IsEscapedInItsReason()
    {
        var signature = await SampleSignature.Content("registry.local/app:evil\n  - registry.local/app:v1: ok\u001b[2J", Digest.Compute(Manifest)).ReadAsByteArrayAsync();
        await using var hostile = await StartImageServerAsync(_ => context => context.Response.Body.WriteAsync(signature).AsTask());
        using var http = Wiring.RemoteHttp.Create(TimeSpan.FromSeconds(30));
        await WriteNodePolicyAsync();
        var judge = new Wiring.NodeImageJudge(http, new U7s.Cluster.Files.NodeRoot(_dir.Path), TimeProvider.System, hostile.BaseAddress, new Uri(hostile.BaseAddress, "/sigstore/"));

        var verdict = await judge.JudgeAsync(Reference.Parse("registry.local/app:v1"), default);

        Assert.False(verdict.IsAccepted);
        Assert.Contains(@"registry.local/app:evil\n  - registry.local/app:v1: ok\x1b[2J", verdict.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(verdict.Reason!, char.IsControl);
    }

    [Fact]
    public async Task Verify_APayloadsIdentity_CannotWriteLinesOrDriveTheTerminal()
    {
        var digest = Digest.Compute(Manifest);
        // Signed by a trusted key, claiming an identity made to look like the verdicts verify prints.
        var forged = $"registry.local/app:evil\n\u001b[1A\u001b[2Ksignature-1\t{SampleKeys.SignerFingerprint}\tregistry.local/app:v1\t{digest}\tok\npolicy: accepted\u202e";
        var signature = await SampleSignature.Content(forged, digest).ReadAsByteArrayAsync();
        await using var hostile = await StartImageServerAsync(_ => context => context.Response.Body.WriteAsync(signature).AsTask());
        var policy = await WritePolicyAsync();
        var key = _dir.Combine("signer.pgp");

        var (code, stdout, stderr) = await CliAsync(
            "verify", "registry.local/app:v1", "--registry-url", hostile.BaseAddress.ToString(), "--lookaside", new Uri(hostile.BaseAddress, "/sigstore/").ToString(),
            "--keyring", key, "--policy", policy, "--sigstore-root", _dir.Path);

        Assert.True(code == ExitCodes.Refused, stdout + stderr);
        var lines = stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal(5, lines[1].Split('\t').Length);
        Assert.StartsWith("signature-1\t", lines[1], StringComparison.Ordinal);
        Assert.Contains(@"rejected: Signature for identity registry.local/app:evil\n\x1b[1A\x1b[2Ksignature-1\t", lines[1], StringComparison.Ordinal);
        Assert.EndsWith(@"\npolicy: accepted\u{202E} is not accepted", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("policy: rejected", lines[2], StringComparison.Ordinal);
        Assert.DoesNotContain(stdout, c => char.IsControl(c) && c is not '\n' and not '\t');
        Assert.DoesNotContain('\u202e', stdout);
    }

    [Fact]
    public async Task SaveOci_AServersErrorMessage_IsOneEscapedLine()
    {
        await using var hostile = await HostileServer.StartAsync(h => h.Map("/v2/app/manifests/v1", context =>
        {
            context.Response.StatusCode = 500;
            return context.Response.WriteAsync("""{"errors":[{"code":"UNKNOWN","message":"bad\nu7s: done, all images saved\u001b[2J"}]}""");
        }));

        var (code, _, stderr) = await CliAsync("save-oci", _dir.Combine("out"), "amd64", "registry.local/app:v1", "--registry", hostile.BaseAddress.ToString());

        Assert.NotEqual(ExitCodes.Success, code);
        AssertOneLine(stderr, @"UNKNOWN: bad\nu7s: done, all images saved\x1b[2J");
    }

    [Fact]
    public async Task RedirectLoop_StopsAfterTenHops()
    {
        await using var hostile = await HostileServer.StartAsync(h => h.Map("/ui/status.json", HostileServer.Redirect("/ui/status.json")));

        var (code, _, stderr) = await CliAsync("status", "--registry-url", hostile.BaseAddress.ToString());

        Assert.Equal(ExitCodes.Unavailable, code);
        AssertOneLine(stderr, "more than 10 redirects");
        Assert.Equal(11, hostile.Requests.Count);
    }

    /// <summary>A registry serving <see cref="Manifest"/> as registry.local/app:v1, whose lookaside answers signature-1 with <paramref name="signatureOne"/>.</summary>
    private static Task<HostileServer> StartImageServerAsync(Func<HostileServer, RequestDelegate> signatureOne) => HostileServer.StartAsync(h =>
    {
        h.Map("/v2/app/manifests/v1", context =>
        {
            context.Response.ContentType = MediaTypes.OciManifest;
            return context.Response.Body.WriteAsync(Manifest).AsTask();
        });
        h.Map("/sigstore/" + SignatureStore.RelativePath(RepositoryName.Parse("app"), Digest.Compute(Manifest), 1), signatureOne(h));
    });

    /// <summary>A node policy trusting the sample signer key (written beside it) for registry.local.</summary>
    private async Task<string> WritePolicyAsync()
    {
        var key = _dir.Combine("signer.pgp");
        await File.WriteAllBytesAsync(key, SampleKeys.SignerPublic);
        var policy = _dir.Combine("policy.json");
        await File.WriteAllTextAsync(policy, """{"default":[{"type":"reject"}],"transports":{"docker":{"registry.local":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"KEY"}]}}}""".Replace("KEY", key, StringComparison.Ordinal));
        return policy;
    }

    /// <summary>The policy of <see cref="WritePolicyAsync"/> where the node keeps it, under the test's root.</summary>
    private async Task WriteNodePolicyAsync()
    {
        var policy = await File.ReadAllTextAsync(await WritePolicyAsync());
        Directory.CreateDirectory(_dir.Combine("etc", "containers"));
        await File.WriteAllTextAsync(_dir.Combine("etc", "containers", "policy.json"), policy);
    }

    private static void AssertOneLine(string stderr, string expected)
    {
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.StartsWith("u7s: ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected error", stderr, StringComparison.Ordinal);
        Assert.Equal(stderr.TrimEnd('\n'), stderr.TrimEnd('\n').ReplaceLineEndings(" "));
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> CliAsync(params string[] args) => CommandHarness.RunCliAsync(args);
}
