using U7s.Cli.Commands;
using U7s.Cli.Tests.Support;
using U7s.Cluster.Files;
using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

public sealed class CreatePolicyCommandTests : IDisposable
{
    private const string RemotePolicy = """
        {
          "default": [
            {
              "type": "reject"
            }
          ],
          "transports": {
            "docker": {
              "registry.local": [
                {
                  "type": "signedBy",
                  "keyType": "GPGKeys",
                  "keyPath": "/var/sigstore/keys/imagemaker.pgp"
                }
              ]
            }
          }
        }

        """;

    private static readonly string TrustedPolicy = RemotePolicy.Replace("/var/sigstore/keys/", "/etc/u7s/keys/", StringComparison.Ordinal);

    private readonly TempDirectory _root = new("u7s-cli-root");
    private readonly TempDirectory _store = new("u7s-cli-store");
    private readonly RecordingProcessRunner _runner = new();

    public void Dispose()
    {
        _root.Dispose();
        _store.Dispose();
    }

    private NodeEnvironment Environment(bool privileged = false) => new()
    {
        Runner = _runner,
        IsPrivileged = () => privileged,
        IsLocalAddress = _ => false,
    };

    [Fact]
    public async Task CreatePolicy_OnHostWithoutPrivileges_RefusedWithExitRefused()
    {
        var (code, _, stderr) = await CommandHarness.RunAsync(CreatePolicyCommand.Create(Environment()), "192.168.122.70");

        Assert.Equal(ExitCodes.Refused, code);
        Assert.Equal("u7s: this changes the node: run as root, or give --root DIR to write a staging tree\n", stderr);
        Assert.Empty(_runner.Calls);
    }

    [Fact]
    public async Task CreatePolicy_LoopbackAddress_OneLineUsageError()
    {
        var (code, stdout, stderr) = await CommandHarness.RunAsync(CreatePolicyCommand.Create(Environment()), "127.0.0.1", "--root", _root.Path, "--role", "registry");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains("127.0.0.1 cannot be the registry address", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
        Assert.Empty(stdout);
    }

    [Theory]
    [InlineData("BAD NAME", "u7s: not a host name: 'BAD NAME' (letters, digits and hyphens in dot-separated labels of at most 63, RFC 1123) (u7s create-policy --help)")]
    [InlineData("registry.local:5000", "u7s: --registry-name takes a host name without a port: give the port as --registry-port 5000 (image references and policy scopes then read registry.local:5000) (u7s create-policy --help)")]
    [InlineData("-registry.local", "u7s: not a host name: '-registry.local' (letters, digits and hyphens in dot-separated labels of at most 63, RFC 1123) (u7s create-policy --help)")]
    [InlineData("10.0.300.1", "u7s: not a host name or an IPv4 address: 10.0.300.1 (u7s create-policy --help)")]
    public async Task CreatePolicy_BadRegistryName_OneLineNothingWritten(string name, string expected)
    {
        var (code, stdout, stderr) = await CommandHarness.RunAsync(CreatePolicyCommand.Create(Environment()), "192.168.122.70", "--root", _root.Path, "--registry-name", name);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal(expected + "\n", stderr);
        Assert.Empty(stdout);
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [Fact]
    public async Task CreatePolicy_IpRegistryNameOtherThanTheAddress_RefusedNothingWritten()
    {
        var (code, stdout, stderr) = await CommandHarness.RunAsync(CreatePolicyCommand.Create(Environment()), "192.168.122.70", "--root", _root.Path, "--registry-name", "192.168.122.71");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("u7s: --registry-name 192.168.122.71 is not the registry address 192.168.122.70: nodes would pull images from one host and signatures (sigstore.local) from the other; give the registry address or a host name\n", stderr);
        Assert.Empty(stdout);
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [Fact]
    public async Task CreatePolicy_NodeRole_TrustsTheDownloadedKeysOnlyInARootOwnedDirectory()
    {
        ServeKeys(("imagemaker.pgp", SampleKeys.SignerPublic));
        File.WriteAllText(_store.Combine("keys/.hidden"), "not listed");
        File.WriteAllText(_store.Combine("keys/unnamed.pgp"), "listed, but no policy names it");
        await using var server = await SigstoreServer.StartAsync(_store.Path);

        var (code, stdout, stderr) = await CreateNodePolicyAsync(server);

        Assert.True(code == 0, stderr);
        Assert.StartsWith("role: node\n", stdout, StringComparison.Ordinal);
        Assert.Contains($"trusting key {SampleKeys.SignerFingerprint} (", stdout, StringComparison.Ordinal);
        Assert.Contains($"  docker registry.local: signed by {SampleKeys.SignerFingerprint} (", stdout, StringComparison.Ordinal);
        Assert.Equal(TrustedPolicy, File.ReadAllText(_root.Combine("etc/containers/policy.json")));
        Assert.Equal(SampleKeys.SignerPublic, File.ReadAllBytes(_root.Combine("etc/u7s/keys/imagemaker.pgp")));
        Assert.Equal(["imagemaker.pgp"], Directory.GetFiles(_root.Combine("etc/u7s/keys")).Select(Path.GetFileName));
        Assert.Equal(FileModes.Mode0755, FileModes.Get(_root.Combine("etc/u7s/keys")));
        Assert.Null(U7s.Security.Files.TrustedFile.Problem(_root.Combine("etc/u7s/keys/imagemaker.pgp"), "key"));

        // Nothing on this node is kept in a directory others can write.
        Assert.False(Directory.Exists(_root.Combine("var/sigstore")));

        var (again, secondOut, _) = await CreateNodePolicyAsync(server);
        Assert.Equal(0, again);
        Assert.Equal("role: node\nnothing to change\n", secondOut);
    }

    /// <summary>A store that answers only logged-in users: the key download uses the registry's login (--authfile keyed registry.local).</summary>
    [Fact]
    public async Task CreatePolicy_NodeRole_KeysBehindALogin_DownloadedWithTheRegistrysLogin()
    {
        ServeKeys(("imagemaker.pgp", SampleKeys.SignerPublic));
        await using var store = await SigstoreServer.StartAsync(_store.Path);
        using var forward = new HttpClient { BaseAddress = store.BaseAddress };
        var basic = "Basic " + Convert.ToBase64String("node:node-pw"u8.ToArray());
        await using var guarded = await HostileServer.StartAsync(h => h.Map("/{**path}", async context =>
        {
            if (context.Request.Headers.Authorization.ToString() != basic)
            {
                context.Response.StatusCode = 401;
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"u7s sigstore\"";
                return;
            }

            using var response = await forward.GetAsync(context.Request.Path + context.Request.QueryString);
            context.Response.StatusCode = (int)response.StatusCode;
            await context.Response.Body.WriteAsync(await response.Content.ReadAsByteArrayAsync());
        }));
        var authFile = _store.Combine("auth.json");
        File.WriteAllText(authFile, "{\"auths\":{\"registry.local\":{\"auth\":\"" + Convert.ToBase64String("node:node-pw"u8.ToArray()) + "\"}}}");
        var empty = _store.Combine("empty.json");
        File.WriteAllText(empty, "{}");
        string[] args = ["192.168.122.70", "--root", _root.Path, "--role", "node", "--keys-url", new Uri(guarded.BaseAddress, "keys/").ToString()];

        var anonymous = await CommandHarness.RunAsync(CreatePolicyCommand.Create(Environment()), [.. args, "--authfile", empty]);
        var (code, stdout, stderr) = await CommandHarness.RunAsync(CreatePolicyCommand.Create(Environment()), [.. args, "--authfile", authFile]);

        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.Contains("401", anonymous.Stderr, StringComparison.Ordinal);
        Assert.True(code == 0, stderr);
        Assert.Contains($"trusting key {SampleKeys.SignerFingerprint} (", stdout, StringComparison.Ordinal);
        Assert.Equal(SampleKeys.SignerPublic, File.ReadAllBytes(_root.Combine("etc/u7s/keys/imagemaker.pgp")));
    }

    /// <summary>
    /// Any member of podman_dev on the registry node can replace the served keys and keys/policy.json: a node that
    /// trusts keys already refuses whatever changes them, and says what would change.
    /// </summary>
    [Fact]
    public async Task CreatePolicy_NodeRole_ServedKeyReplaced_RefusedUntilAccepted()
    {
        ServeKeys(("imagemaker.pgp", SampleKeys.SignerPublic));
        await using var server = await SigstoreServer.StartAsync(_store.Path);
        Assert.Equal(0, (await CreateNodePolicyAsync(server)).Code);
        var trusted = Snapshot();

        File.WriteAllBytes(_store.Combine("keys/imagemaker.pgp"), SampleKeys.ProtectedPublic);
        var (code, stdout, stderr) = await CreateNodePolicyAsync(server);

        Assert.Equal(ExitCodes.Refused, code);
        Assert.Empty(stdout);
        Assert.Contains("the signature store's policy changes which keys this node trusts:", stderr, StringComparison.Ordinal);
        Assert.Contains($"  + docker registry.local: signed by {SampleKeys.ProtectedFingerprint}", stderr, StringComparison.Ordinal);
        Assert.Contains($"  - docker registry.local: signed by {SampleKeys.SignerFingerprint}", stderr, StringComparison.Ordinal);
        Assert.Contains("run again with --accept-new-keys", stderr, StringComparison.Ordinal);
        Assert.Equal(trusted, Snapshot());

        var (accepted, acceptedOut, acceptedErr) = await CreateNodePolicyAsync(server, "--accept-new-keys");
        Assert.True(accepted == 0, acceptedErr);
        Assert.Contains("trust changed (--accept-new-keys):", acceptedOut, StringComparison.Ordinal);
        Assert.Equal(SampleKeys.ProtectedPublic, File.ReadAllBytes(_root.Combine("etc/u7s/keys/imagemaker.pgp")));
    }

    /// <summary>Moving a trusted key into another team's scope changes no key file, and is refused the same way.</summary>
    [Fact]
    public async Task CreatePolicy_NodeRole_KeyAddedToAnotherScope_Refused()
    {
        ServeKeys(("imagemaker.pgp", SampleKeys.SignerPublic), ("k8s.pgp", SampleKeys.ProtectedPublic));
        File.WriteAllText(_store.Combine("keys/policy.json"), TwoScopes("/var/sigstore/keys/k8s.pgp"));
        await using var server = await SigstoreServer.StartAsync(_store.Path);
        Assert.Equal(0, (await CreateNodePolicyAsync(server)).Code);
        var trusted = Snapshot();

        File.WriteAllText(_store.Combine("keys/policy.json"), TwoScopes("/var/sigstore/keys/imagemaker.pgp"));
        var (code, _, stderr) = await CreateNodePolicyAsync(server);

        Assert.Equal(ExitCodes.Refused, code);
        Assert.Contains($"  + docker registry.local/k8s-c10f1: signed by {SampleKeys.SignerFingerprint}", stderr, StringComparison.Ordinal);
        Assert.Equal(trusted, Snapshot());
    }

    [Fact]
    public async Task CreatePolicy_NodeRole_PinnedFingerprints_RefuseAnyOtherKeyEvenTheFirstTime()
    {
        ServeKeys(("imagemaker.pgp", SampleKeys.SignerPublic));
        await using var server = await SigstoreServer.StartAsync(_store.Path);

        var (code, _, stderr) = await CreateNodePolicyAsync(server, "--trust-fingerprint", SampleKeys.ProtectedFingerprint);
        var (pinned, stdout, pinnedErr) = await CreateNodePolicyAsync(server, "--trust-fingerprint", SampleKeys.SignerFingerprint.ToLowerInvariant());
        var (bad, _, badErr) = await CreateNodePolicyAsync(server, "--trust-fingerprint", "not-hex");

        Assert.Equal(ExitCodes.Refused, code);
        Assert.Contains($"trusts keys not given with --trust-fingerprint: {SampleKeys.SignerFingerprint}", stderr, StringComparison.Ordinal);
        Assert.True(pinned == 0, pinnedErr);
        Assert.Contains($"trusting key {SampleKeys.SignerFingerprint} (", stdout, StringComparison.Ordinal);
        Assert.Contains("pinned", stdout, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, bad);
        Assert.Contains("--trust-fingerprint takes a 40-digit hex fingerprint", badErr, StringComparison.Ordinal);
    }

    /// <summary>A group member's keys/policy.json that opens a scope is refused even on the first download.</summary>
    [Fact]
    public async Task CreatePolicy_NodeRole_ServedPolicyAcceptsUnsignedImages_RefusedNothingWritten()
    {
        ServeKeys(("imagemaker.pgp", SampleKeys.SignerPublic));
        File.WriteAllText(_store.Combine("keys/policy.json"), RemotePolicy.Replace(
            "\"docker\": {", "\"docker\": {\n      \"registry.local/open\": [{\"type\": \"insecureAcceptAnything\"}],", StringComparison.Ordinal));
        await using var server = await SigstoreServer.StartAsync(_store.Path);

        var (code, _, stderr) = await CreateNodePolicyAsync(server);

        Assert.Equal(ExitCodes.Refused, code);
        Assert.Contains("accepts unsigned images (docker registry.local/open)", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [Fact]
    public async Task CreatePolicy_NodeRole_ServedKeyIsNotAKey_RefusedNothingWritten()
    {
        ServeKeys(("imagemaker.pgp", "-----BEGIN PGP PUBLIC KEY BLOCK-----\nnot a key\n-----END PGP PUBLIC KEY BLOCK-----\n"u8.ToArray()));
        await using var server = await SigstoreServer.StartAsync(_store.Path);

        var (code, _, stderr) = await CreateNodePolicyAsync(server);

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("the signature store's /var/sigstore/keys/imagemaker.pgp is not an OpenPGP public key", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    private void ServeKeys(params (string Name, byte[] Content)[] keys)
    {
        Directory.CreateDirectory(_store.Combine("keys"));
        foreach (var (name, content) in keys)
        {
            File.WriteAllBytes(_store.Combine("keys", name), content);
        }

        File.WriteAllText(_store.Combine("keys/policy.json"), RemotePolicy);
    }

    private Task<(int Code, string Stdout, string Stderr)> CreateNodePolicyAsync(SigstoreServer server, params string[] extra) =>
        CommandHarness.RunAsync(CreatePolicyCommand.Create(Environment()),
            ["192.168.122.70", "--root", _root.Path, "--role", "node", "--keys-url", new Uri(server.BaseAddress, "keys/").ToString(), .. extra]);

    private string[] Snapshot() => _root.Snapshot();

    private static string TwoScopes(string k8sKey) =>
        "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{"
        + "\"registry.local\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"/var/sigstore/keys/imagemaker.pgp\"}],"
        + "\"registry.local/k8s-c10f1\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"" + k8sKey + "\"}]}}}";

    [Fact]
    public async Task CreatePolicy_AutoRoleWithLocalAddress_ActsAsRegistryNode()
    {
        var environment = new NodeEnvironment { Runner = _runner, IsPrivileged = () => false, IsLocalAddress = ip => ip == "192.168.122.70" };

        var (code, stdout, stderr) = await CommandHarness.RunAsync(CreatePolicyCommand.Create(environment), "192.168.122.70", "--root", _root.Path);

        Assert.True(code == 0, stderr);
        Assert.StartsWith("role: registry\n", stdout, StringComparison.Ordinal);
        Assert.True(Directory.Exists(_root.Combine("var/sigstore/sigstore")));
        Assert.Equal("192.168.122.70 registry.local sigstore.local\n", File.ReadAllText(_root.Combine("etc/hosts")));
    }

    [Fact]
    public async Task CreatePolicy_RegistryNameWithPort_NoHostsNameWithPort()
    {
        var (code, _, stderr) = await CommandHarness.RunAsync(CreatePolicyCommand.Create(Environment()),
            "192.168.122.70", "--root", _root.Path, "--role", "registry", "--registry-name", "registry.local", "--registry-port", "5000");

        Assert.True(code == 0, stderr);
        Assert.Equal("192.168.122.70 registry.local sigstore.local\n", File.ReadAllText(_root.Combine("etc/hosts")));
        Assert.Contains("location = \"registry.local:5000\"", File.ReadAllText(_root.Combine("etc/containers/registries.conf")), StringComparison.Ordinal);
        Assert.Contains("pause_image = \"registry.local:5000/k8s-c10f1/pause:3.9\"", File.ReadAllText(_root.Combine("etc/crio/crio.conf.d/10-u7s-pause.conf")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreatePolicy_BadLookasideUrl_UsageError()
    {
        var (code, _, stderr) = await CommandHarness.RunAsync(CreatePolicyCommand.Create(Environment()),
            "192.168.122.70", "--root", _root.Path, "--lookaside-url", "file:///var/sigstore/sigstore/");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("u7s: not an http(s) URL: file:///var/sigstore/sigstore/\n", stderr);
    }

    [Fact]
    public async Task CreatePolicy_RootDoesNotExist_UsageError()
    {
        var (code, _, stderr) = await CommandHarness.RunAsync(CreatePolicyCommand.Create(Environment()), "192.168.122.70", "--root", _root.Combine("missing"));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("no such directory", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreatePolicy_NodeRole_PolicyNamesUnlistedKey_RefusedNothingWritten()
    {
        Directory.CreateDirectory(_store.Combine("keys"));
        File.WriteAllText(_store.Combine("keys/policy.json"), RemotePolicy);
        await using var server = await SigstoreServer.StartAsync(_store.Path);

        var (code, _, stderr) = await CommandHarness.RunAsync(CreatePolicyCommand.Create(Environment()),
            "192.168.122.70", "--root", _root.Path, "--keys-url", new Uri(server.BaseAddress, "keys/").ToString());

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("names keys it does not list: /var/sigstore/keys/imagemaker.pgp", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [Fact]
    public async Task CreatePolicy_NodeRole_StoreWithoutPolicy_RefusedNothingWritten()
    {
        Directory.CreateDirectory(_store.Combine("keys"));
        await using var server = await SigstoreServer.StartAsync(_store.Path);

        var (code, _, stderr) = await CommandHarness.RunAsync(CreatePolicyCommand.Create(Environment()),
            "192.168.122.70", "--root", _root.Path, "--role", "node", "--keys-url", new Uri(server.BaseAddress, "keys/").ToString());

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("has no policy.json", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [Fact]
    public async Task CreatePolicy_NodeRole_StoreUnreachable_ExitUnavailable()
    {
        await using var server = await SigstoreServer.StartAsync(_store.Path);
        var url = new Uri(server.BaseAddress, "keys/").ToString();
        await server.DisposeAsync();

        var (code, _, stderr) = await CommandHarness.RunAsync(CreatePolicyCommand.Create(Environment()),
            "192.168.122.70", "--root", _root.Path, "--role", "node", "--keys-url", url);

        Assert.Equal(ExitCodes.Unavailable, code);
        Assert.StartsWith($"u7s: GET {url}", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }
}
