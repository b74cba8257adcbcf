using U7s.Cluster.Files;
using U7s.Cluster.Node;
using U7s.Cluster.Tests.Support;
using U7s.Testing;

namespace U7s.Cluster.Tests.Node;

public sealed class CreatePolicyServiceTests : IDisposable
{
    private const string SeedPolicy = """
        {
          "default": [
            {
              "type": "reject"
            }
          ],
          "transports": {
            "docker": {}
          }
        }

        """;

    private const string SeedRegistriesD = """
        default-docker:
          lookaside: http://sigstore.local:81/sigstore/
          sigstore: http://sigstore.local:81/sigstore/

        """;

    private readonly NodeFixture _node = new();

    public void Dispose() => _node.Dispose();

    private CreatePolicyService Service() =>
        new(_node.Writer, _node.Accounts, new KeyFetcher(new HttpClient()), _node.Inspector, _node.Options);

    [Fact]
    public async Task Run_RegistryNode_WritesEveryFileExactly()
    {
        File.WriteAllText(_node.Path("/etc/hosts"), "127.0.0.1 localhost\n");

        await Service().RunAsync(new CreatePolicyRequest("192.168.122.70", NodeRole.Registry), default);

        Assert.Equal("127.0.0.1 localhost\n192.168.122.70 registry.local sigstore.local\n", _node.Read("/etc/hosts"));
        Assert.Equal(
            [
                $"groupadd --prefix {_node.Temp.Path} podman",
                $"groupadd --prefix {_node.Temp.Path} podman_dev",
                $"chown 0:1001 {_node.Temp.Path}/var/sigstore/keys",
                $"chown 0:1001 {_node.Temp.Path}/var/sigstore/sigstore",
            ],
            _node.Runner.Calls);
        Assert.Equal(SeedPolicy, _node.Read("/etc/containers/policy.json"));
        Assert.Equal("policy_2024-05-23_05:40:07", _node.LinkTarget("/etc/containers/policy.json"));
        Assert.Equal(SeedPolicy, _node.Read("/var/sigstore/keys/policy.json"));
        Assert.Equal(SeedRegistriesD, _node.Read("/etc/containers/registries.d/default.yaml"));
        Assert.Equal("default_2024-05-23_05:40:07", _node.LinkTarget("/etc/containers/registries.d/default.yaml"));
        Assert.Equal("[[registry]]\nlocation = \"registry.local\"\ninsecure = true\n", _node.Read("/etc/containers/registries.conf"));
        Assert.Equal("registries_2024-05-23_05:40:07", _node.LinkTarget("/etc/containers/registries.conf"));
        Assert.Equal("[engine]\ninfra_image = \"registry.local/k8s-c10f1/pause:3.9\"\n", _node.Read("/etc/containers/containers.conf"));
        Assert.Equal(
            "# Written by u7s create-policy: the pod sandbox image comes from the local registry.\n[crio.image]\npause_image = \"registry.local/k8s-c10f1/pause:3.9\"\n",
            _node.Read("/etc/crio/crio.conf.d/10-u7s-pause.conf"));
        Assert.Equal("kernel.unprivileged_userns_clone=1\n", _node.Read("/etc/sysctl.d/99-podman.conf"));
        Assert.Equal("net.ipv4.ip_forward = 1\n", _node.Read("/etc/sysctl.d/90-ipforward.conf"));
        Assert.Equal("<html><body><h1>SigStore works!</h1></body></html>\n", _node.Read("/var/sigstore/index.html"));
        Assert.Equal(FileModes.Mode0755, _node.Mode("/var/sigstore"));
        Assert.Equal(FileModes.Mode0775, _node.Mode("/var/sigstore/keys"));
        Assert.Equal(FileModes.Mode2775, _node.Mode("/var/sigstore/sigstore"));
        Assert.Equal(FileModes.Mode0644, _node.Mode("/var/sigstore/index.html"));
        Assert.Equal(FileModes.Mode0644, _node.Mode("/etc/containers/policy_2024-05-23_05:40:07"));
    }

    [Fact]
    public async Task Run_Twice_SecondRunChangesNothing()
    {
        await Service().RunAsync(new CreatePolicyRequest("192.168.122.70", NodeRole.Registry), default);
        var before = _node.Snapshot();
        var calls = _node.Runner.Calls.Count;
        _node.Time.Advance(TimeSpan.FromHours(1));

        var report = await Service().RunAsync(new CreatePolicyRequest("192.168.122.70", NodeRole.Registry), default);

        Assert.Empty(report);
        Assert.Equal(before, _node.Snapshot());
        Assert.Equal(calls, _node.Runner.Calls.Count);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.1.2.3")]
    [InlineData("192.168.122")]
    [InlineData("192.168.122.256")]
    [InlineData("192.168.122.070")]
    [InlineData("192.168.1.1.1")]
    [InlineData("0.0.0.0")]
    [InlineData("registry.local")]
    [InlineData(" 10.0.0.1")]
    public async Task Run_BadAddress_RefusedAndNothingWritten(string address)
    {
        var before = _node.Snapshot();

        var e = await Assert.ThrowsAsync<ClusterException>(() => Service().RunAsync(new CreatePolicyRequest(address, NodeRole.Registry), default));

        Assert.Equal(ClusterErrorKind.Usage, e.Kind);
        Assert.Equal(before, _node.Snapshot());
        Assert.Empty(_node.Runner.Calls);
    }

    [Fact]
    public async Task Run_NameMappedElsewhere_RefusedBeforeAnyChange()
    {
        File.WriteAllText(_node.Path("/etc/hosts"), "10.0.0.5 sigstore.local # old\n");
        var before = _node.Snapshot();

        var e = await Assert.ThrowsAsync<ClusterException>(() => Service().RunAsync(new CreatePolicyRequest("192.168.122.70", NodeRole.Registry), default));

        Assert.Equal(ClusterErrorKind.Refused, e.Kind);
        Assert.Contains("sigstore.local to 10.0.0.5", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, _node.Snapshot());
    }

    [Fact]
    public async Task Run_LineAlreadyPresentWithExtraName_HostsUntouched()
    {
        const string hosts = "127.0.0.1 localhost\n192.168.122.70 registry.local sigstore.local trivy.local\n";
        File.WriteAllText(_node.Path("/etc/hosts"), hosts);

        await Service().RunAsync(new CreatePolicyRequest("192.168.122.70", NodeRole.Registry), default);

        Assert.Equal(hosts, _node.Read("/etc/hosts"));
    }

    [Fact]
    public async Task Run_ExistingConfigs_MergedKeepingOtherKeys()
    {
        Directory.CreateDirectory(_node.Path("/etc/containers"));
        File.WriteAllText(_node.Path("/etc/containers/containers.conf"),
            "[containers]\nlog_driver = \"k8s-file\"\n\n[engine]\n# pause\ninfra_image = \"k8s.gcr.io/pause:3.5\"\nevents_logger = \"file\"\n");
        File.WriteAllText(_node.Path("/etc/containers/registries.conf"), "unqualified-search-registries = [\"docker.io\"]\n");

        await Service().RunAsync(new CreatePolicyRequest("192.168.122.70", NodeRole.Registry), default);

        Assert.Equal(
            "[containers]\nlog_driver = \"k8s-file\"\n\n[engine]\n# pause\ninfra_image = \"registry.local/k8s-c10f1/pause:3.9\"\nevents_logger = \"file\"\n",
            _node.Read("/etc/containers/containers.conf"));
        Assert.Equal(
            "unqualified-search-registries = [\"docker.io\"]\n\n[[registry]]\nlocation = \"registry.local\"\ninsecure = true\n",
            _node.Read("/etc/containers/registries.conf"));
        // The displaced file is kept as a version of its own (registries_<its mtime>), beside the new one.
        var versions = Directory.GetFiles(_node.Path("/etc/containers"), "registries_2*").Select(File.ReadAllText).ToList();
        Assert.Equal(2, versions.Count);
        Assert.Single(versions, v => v == "unqualified-search-registries = [\"docker.io\"]\n");
    }

    [Fact]
    public async Task Run_V1RegistriesConf_RefusedNotMixed()
    {
        Directory.CreateDirectory(_node.Path("/etc/containers"));
        File.WriteAllText(_node.Path("/etc/containers/registries.conf"), "[registries.insecure]\nregistries = []\n");
        var before = _node.Snapshot();

        var e = await Assert.ThrowsAsync<ClusterException>(() => Service().RunAsync(new CreatePolicyRequest("192.168.122.70", NodeRole.Registry), default));

        Assert.Equal(ClusterErrorKind.InvalidInput, e.Kind);
        Assert.Equal(before, _node.Snapshot());
        Assert.Empty(_node.Runner.Calls);
    }

    [Fact]
    public async Task Run_ExistingPolicyWithSigner_KeepsScopeAndForcesReject()
    {
        Directory.CreateDirectory(_node.Path("/etc/containers"));
        File.WriteAllText(_node.Path("/etc/containers/policy.json"),
            """{"default":[{"type":"insecureAcceptAnything"}],"transports":{"docker":{"registry.local":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/var/sigstore/keys/imagemaker.pgp"}]}}}""");

        var report = await Service().RunAsync(new CreatePolicyRequest("192.168.122.70", NodeRole.Registry), default);

        // The node trusts the root-owned copy only; with no authorization file to write it from, it says so.
        var policy = EditablePolicy.Parse(_node.Read("/etc/containers/policy.json"));
        Assert.True(policy.DefaultIsReject);
        Assert.Equal(["/etc/u7s/keys/imagemaker.pgp"], policy.KeyPaths());
        Assert.Equal(["/var/sigstore/keys/imagemaker.pgp"], EditablePolicy.Parse(_node.Read("/var/sigstore/keys/policy.json")).KeyPaths());
        Assert.Contains(report, l => l.StartsWith("WARNING: the policy trusts /etc/u7s/keys/imagemaker.pgp, which does not exist", StringComparison.Ordinal));
        Assert.False(File.Exists(_node.Path("/etc/u7s/keys/imagemaker.pgp")));
        Assert.Single(Directory.GetFiles(_node.Path("/etc/containers"), "policy_*"), p => File.ReadAllText(p).Contains("insecureAcceptAnything", StringComparison.Ordinal));
    }

    /// <summary>An older install trusted the served, group-writable copy: the key moves to the root-owned directory from the authorization file.</summary>
    [Fact]
    public async Task Run_OlderPolicyNamingServedKeys_TrustsTheAuthorizedKeyNotTheServedCopy()
    {
        Directory.CreateDirectory(_node.Path("/etc/containers"));
        Directory.CreateDirectory(_node.Path("/var/sigstore/keys"));
        Directory.CreateDirectory(_node.Path("/etc/u7s"));
        var served = """{"default":[{"type":"reject"}],"transports":{"docker":{"registry.local":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/var/sigstore/keys/imagemaker.pgp"}]}}}""";
        File.WriteAllText(_node.Path("/etc/containers/policy.json"), served);
        File.WriteAllText(_node.Path("/var/sigstore/keys/imagemaker.pgp"), "replaced by a group member");
        File.WriteAllBytes(_node.Path("/etc/u7s/signers.json"), U7s.Security.Signers.SignersDocument.Create(served, new Dictionary<string, string> { ["imagemaker"] = System.Text.Encoding.ASCII.GetString(SampleKeys.SignerPublic) }).ToJson());

        var report = await Service().RunAsync(new CreatePolicyRequest("192.168.122.70", NodeRole.Registry), default);

        Assert.Equal(["/etc/u7s/keys/imagemaker.pgp"], EditablePolicy.Parse(_node.Read("/etc/containers/policy.json")).KeyPaths());
        Assert.Equal(System.Text.Encoding.ASCII.GetString(SampleKeys.SignerPublic), _node.Read("/etc/u7s/keys/imagemaker.pgp"));
        Assert.Contains("/etc/u7s/keys/imagemaker.pgp: created", report);
        Assert.DoesNotContain(report, l => l.StartsWith("WARNING", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_InvalidExistingPolicy_RefusedAndKept()
    {
        Directory.CreateDirectory(_node.Path("/etc/containers"));
        File.WriteAllText(_node.Path("/etc/containers/policy.json"), """{"default":[{"type":"reject"}],"extra":1}""");
        var before = _node.Snapshot();

        var e = await Assert.ThrowsAsync<ClusterException>(() => Service().RunAsync(new CreatePolicyRequest("192.168.122.70", NodeRole.Registry), default));

        Assert.Contains("unknown field \"extra\"", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, _node.Snapshot());
        Assert.Empty(_node.Runner.Calls);
    }

    [Fact]
    public async Task Run_GroupaddFails_ReportsTheToolError()
    {
        _node.Runner.Failures["groupadd"] = "groupadd: cannot lock /etc/group; try again later.";

        var e = await Assert.ThrowsAsync<ClusterException>(() => Service().RunAsync(new CreatePolicyRequest("192.168.122.70", NodeRole.Registry), default));

        Assert.Contains("cannot lock /etc/group", e.Message, StringComparison.Ordinal);
    }
}
