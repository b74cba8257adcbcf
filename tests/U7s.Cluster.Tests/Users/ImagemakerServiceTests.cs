using U7s.Cluster.Node;
using U7s.Cluster.Tests.Support;
using U7s.Cluster.Users;
using U7s.Testing;

namespace U7s.Cluster.Tests.Users;

public sealed class ImagemakerServiceTests : IAsyncLifetime, IDisposable
{
    private const string OneSignerPolicy = """
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

    /// <summary>This node's own policy names the root-owned copy of the key; the served one above names the podsec path.</summary>
    private static readonly string TrustedPolicy = OneSignerPolicy.Replace("/var/sigstore/keys/imagemaker.pgp", "/etc/u7s/keys/imagemaker.pgp", StringComparison.Ordinal);

    private const string UserRegistriesD = """
        default-docker:
          lookaside: http://sigstore.local:81/sigstore/
          sigstore: http://sigstore.local:81/sigstore/
          lookaside-staging: file:///var/sigstore/sigstore/
          sigstore-staging: file:///var/sigstore/sigstore/

        """;

    private readonly NodeFixture _node = new();
    private readonly GpgSignerKeyProvisioner _gpg = new();

    public async Task InitializeAsync() =>
        await new CreatePolicyService(_node.Writer, _node.Accounts, new KeyFetcher(new HttpClient()), new PgpKeyInspector(), _node.Options)
            .RunAsync(new CreatePolicyRequest("192.168.122.70", NodeRole.Registry), default);

    public async Task DisposeAsync() => await _gpg.DisposeAsync();

    public void Dispose() => _node.Dispose();

    private ImagemakerService Service() => new(_node.Writer, _node.Accounts, _gpg.Provisioner, _node.Options);

    private static CreateImagemakerRequest Request(params string[] specs) =>
        new(specs.Select(s => ImagemakerSpec.Parse(s, "registry.local")).ToList(), u => $"{u}@example.test", RegistriesD.StagingUrl);

    [RequiresToolFact("gpg")]
    public async Task Run_FirstImagemaker_WritesKeyPolicyAndUserFiles()
    {
        var before = _node.Runner.Calls.Count;

        var report = await Service().RunAsync(Request("imagemaker"), default);

        var r = _node.Temp.Path;
        Assert.Equal(
            [
                $"useradd --prefix {r} -m -s /bin/bash -G podman,podman_dev imagemaker",
                $"chown 1002:1002 {r}/home/imagemaker/.config",
                $"chown 1002:1002 {r}/home/imagemaker/.config/containers",
                $"chown 1002:1002 {r}/home/imagemaker/.config/containers/registries.d",
                $"chown 1002:1002 {r}/home/imagemaker/.config/containers/registries.d/default.yaml",
                $"chown 1002:1002 {r}/home/imagemaker/.config/containers/policy.json",
            ],
            _node.Runner.Calls.Skip(before));
        Assert.Equal(TrustedPolicy, _node.Read("/etc/containers/policy.json"));
        Assert.Equal(OneSignerPolicy, _node.Read("/var/sigstore/keys/policy.json"));
        Assert.Equal(UserRegistriesD, _node.Read("/home/imagemaker/.config/containers/registries.d/default.yaml"));
        Assert.Equal(TrustedPolicy.Replace("\"reject\"", "\"insecureAcceptAnything\"", StringComparison.Ordinal), _node.Read("/home/imagemaker/.config/containers/policy.json"));
        Assert.Equal(U7s.Cluster.Files.FileModes.Mode0644, _node.Mode("/var/sigstore/keys/imagemaker.pgp"));

        // The trusted copy is the same key, in a directory only root can change.
        Assert.Equal(_node.Read("/var/sigstore/keys/imagemaker.pgp"), _node.Read("/etc/u7s/keys/imagemaker.pgp"));
        Assert.Equal(U7s.Cluster.Files.FileModes.Mode0755, _node.Mode("/etc/u7s/keys"));
        Assert.Null(U7s.Security.Files.TrustedFile.Problem(_node.Path("/etc/u7s/keys/imagemaker.pgp"), "key"));

        // The published key is exactly the one generated for that e-mail.
        var fingerprint = Assert.Single(await _gpg.FindAsync("imagemaker@example.test"));
        var shown = await ExternalProcess.RunAsync("gpg", ["--batch", "--with-colons", "--show-keys", _node.Path("/var/sigstore/keys/imagemaker.pgp")], _gpg.Environment);
        Assert.Contains($"fpr:::::::::{fingerprint}:", shown.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"imagemaker: signing key {fingerprint} generated, public key /var/sigstore/keys/imagemaker.pgp", report);
        Assert.Contains("policy scope registry.local: signed by /etc/u7s/keys/imagemaker.pgp", report);
    }

    /// <summary>The rights go to the root-owned file, with keys from the keyring: a group member's rewrite of the served keys/ never reaches it.</summary>
    [RequiresToolFact("gpg")]
    public async Task Run_WritesTheAuthorizationFile_FromTheKeyring_NotFromTheServedKeys()
    {
        await Service().RunAsync(Request("imagemaker"), default);
        var imagemakerKey = _node.Read("/var/sigstore/keys/imagemaker.pgp");
        await File.WriteAllTextAsync(_node.Path("/var/sigstore/keys/imagemaker.pgp"), "planted by a group member");
        await File.WriteAllTextAsync(_node.Path("/var/sigstore/keys/mallory.pgp"), "planted by a group member");

        var report = await Service().RunAsync(Request("second@registry.local/k8s-c10f1"), default);

        var signers = U7s.Security.Signers.SignersDocument.Parse(File.ReadAllBytes(_node.Path("/etc/u7s/signers.json")));
        Assert.Equal(["imagemaker", "second"], signers.Keys.Keys);
        Assert.Equal(imagemakerKey, signers.Keys["imagemaker"]);
        Assert.Equal(_node.Read("/var/sigstore/keys/second.pgp"), signers.Keys["second"]);
        Assert.Contains("registry.local/k8s-c10f1", signers.PolicyJson, StringComparison.Ordinal);
        Assert.Equal(U7s.Cluster.Files.FileModes.Mode0644, _node.Mode("/etc/u7s/signers.json"));
        Assert.Null(U7s.Security.Files.TrustedFile.Problem(_node.Path("/etc/u7s/signers.json"), "signers"));
        Assert.Contains(report, l => l.Contains("/etc/u7s/signers.json", StringComparison.Ordinal));
    }

    [RequiresToolFact("gpg")]
    public async Task Run_GroupWritableAuthorizationDirectory_IsRefusedBeforeAnythingChanges()
    {
        Directory.CreateDirectory(_node.Path("/etc/u7s"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_node.Path("/etc/u7s"), (UnixFileMode)Convert.ToInt32("775", 8));
        }

        var before = _node.Snapshot();

        var e = await Assert.ThrowsAsync<ClusterException>(() => Service().RunAsync(Request("imagemaker"), default));

        Assert.Contains("directory", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, _node.Snapshot());
    }

    [RequiresToolFact("gpg")]
    public async Task Run_Again_ReusesKeyAndChangesNothing()
    {
        await Service().RunAsync(Request("imagemaker"), default);
        var before = _node.Snapshot();
        var calls = _node.Runner.Calls.Count;

        var report = await Service().RunAsync(Request("imagemaker"), default);

        Assert.Equal(before, _node.Snapshot());
        Assert.Equal(calls, _node.Runner.Calls.Count);
        Assert.Contains(report, l => l.EndsWith("reused, public key /var/sigstore/keys/imagemaker.pgp", StringComparison.Ordinal));
        Assert.Contains("policy scope registry.local: /etc/u7s/keys/imagemaker.pgp already trusted", report);
    }

    [RequiresToolFact("gpg")]
    public async Task Run_SecondSignerSameScope_IsAddedToKeyPathsAndSaysSo()
    {
        await Service().RunAsync(Request("imagemaker"), default);

        var report = await Service().RunAsync(Request("second"), default);

        Assert.Contains(
            "policy scope registry.local: /etc/u7s/keys/second.pgp ADDED to keyPaths beside /etc/u7s/keys/imagemaker.pgp (a signature by any of them is accepted; remove a key from the policies and /etc/u7s/signers.json by hand if it should no longer sign)",
            report);
        Assert.Equal("""
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
                      "keyPaths": [
                        "/etc/u7s/keys/imagemaker.pgp",
                        "/etc/u7s/keys/second.pgp"
                      ]
                    }
                  ]
                }
              }
            }

            """, _node.Read("/etc/containers/policy.json"));
        // The first imagemaker's own policy follows the system one.
        Assert.Contains("/etc/u7s/keys/second.pgp", _node.Read("/home/imagemaker/.config/containers/policy.json"), StringComparison.Ordinal);
        Assert.Equal(3, Directory.GetFiles(_node.Path("/etc/containers"), "policy_*").Length);
    }

    [RequiresToolFact("gpg")]
    public async Task Run_NamespaceScope_AddsItsOwnScope()
    {
        await Service().RunAsync(Request("imagemaker", "k8s@registry.local/k8s-c10f1"), default);

        var policy = EditablePolicy.Parse(_node.Read("/etc/containers/policy.json"));
        Assert.Equal(["registry.local", "registry.local/k8s-c10f1"], policy.DockerScopes());
        Assert.Equal(["/etc/u7s/keys/imagemaker.pgp", "/etc/u7s/keys/k8s.pgp"], policy.KeyPaths());
        Assert.Equal(["/var/sigstore/keys/imagemaker.pgp", "/var/sigstore/keys/k8s.pgp"], EditablePolicy.Parse(_node.Read("/var/sigstore/keys/policy.json")).KeyPaths());
    }

    [Fact]
    public async Task Run_WithoutPolicy_Refused()
    {
        File.Delete(_node.Path("/etc/containers/policy.json"));

        var e = await Assert.ThrowsAsync<ClusterException>(() => Service().RunAsync(Request("imagemaker"), default));

        Assert.Equal(ClusterErrorKind.Refused, e.Kind);
        Assert.Contains("run u7s create-policy first", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ScopeWithOtherRequirement_RefusedBeforeAnyAccountOrKey()
    {
        var policy = EditablePolicy.Parse(_node.Read("/etc/containers/policy.json"));
        var edited = policy.ToJson().Replace("\"docker\": {}", "\"docker\": {\"registry.local/open\": [{\"type\": \"insecureAcceptAnything\"}]}", StringComparison.Ordinal);
        await _node.Writer.WriteAsync("/etc/containers/policy.json", edited, U7s.Cluster.Files.FileModes.Mode0644, default);
        var calls = _node.Runner.Calls.Count;

        var e = await Assert.ThrowsAsync<ClusterException>(() => Service().RunAsync(Request("imagemaker", "other@registry.local/open"), default));

        Assert.Equal("policy scope registry.local/open holds requirements other than one signedBy with key files; add the signer by hand", e.Message);
        Assert.Equal(calls, _node.Runner.Calls.Count);
        Assert.False(File.Exists(_node.Path("/var/sigstore/keys/imagemaker.pgp")));
    }

    [Fact]
    public async Task Run_OnNodeWithoutSignatureTree_Refused()
    {
        Directory.Delete(_node.Path("/var/sigstore/sigstore"));

        var e = await Assert.ThrowsAsync<ClusterException>(() => Service().RunAsync(Request("imagemaker"), default));

        Assert.Equal(ClusterErrorKind.Refused, e.Kind);
        Assert.Contains("create imagemakers on the registry node", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_node.Runner.Calls, c => c.StartsWith("useradd", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Imagemaker", "not a valid user name: Imagemaker")]
    [InlineData("im@k8s-c10f1", "not a registry scope (host[/namespace]): k8s-c10f1")]
    [InlineData("im@registry.local/Upper", "not a registry scope (host[/namespace]): registry.local/Upper")]
    [InlineData("-rf", "not a valid user name: -rf")]
    public void Parse_BadSpec_UsageError(string spec, string message)
    {
        var e = Assert.Throws<ClusterException>(() => ImagemakerSpec.Parse(spec, "registry.local"));

        Assert.Equal(message, e.Message);
        Assert.Equal(ClusterErrorKind.Usage, e.Kind);
    }
}
