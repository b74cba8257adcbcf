using U7s.Cluster.Kubeadm;
using U7s.Cluster.Node;
using U7s.Cluster.Tests.Support;
using U7s.Testing;

namespace U7s.Cluster.Tests.Node;

/// <summary>The registry name goes into the hosts line, policy scopes and registries.conf: only a host name or the registry's own address fits.</summary>
public sealed class RegistryNameTests : IDisposable
{
    private readonly NodeFixture _node = new();

    public void Dispose() => _node.Dispose();

    [Theory]
    [InlineData("registry.local", null)]
    [InlineData("Registry-1.example.lan", null)]
    [InlineData("r", null)]
    [InlineData("192.168.122.70", null)]
    [InlineData("BAD NAME", "not a host name: 'BAD NAME'")]
    [InlineData("registry.local:5000", "give the port as --registry-port 5000")]
    [InlineData("-lead.local", "not a host name")]
    [InlineData("trail-.local", "not a host name")]
    [InlineData("a..b", "not a host name")]
    [InlineData("under_score.local", "not a host name")]
    [InlineData("10.1.1.256", "not a host name or an IPv4 address")]
    [InlineData("", "the registry name is empty")]
    public void TryValidate_Rfc1123NameOrIpv4WithoutPort(string name, string? problem)
    {
        Assert.Equal(problem is null, RegistryHostName.TryValidate(name, out var actual));
        if (problem is not null)
        {
            Assert.Contains(problem, actual, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TryValidate_LabelOf64_Refused()
    {
        Assert.True(RegistryHostName.TryValidate(new string('a', 63) + ".local", out _));
        Assert.False(RegistryHostName.TryValidate(new string('a', 64) + ".local", out _));
    }

    [Theory]
    [InlineData("registry.example.lan")]
    [InlineData("registry.example.lan:5000")]
    [InlineData("192.168.122.70")]
    public async Task CreatePolicy_ThenKubeadmPreflight_HostsCheckPasses(string registryName)
    {
        var options = new ClusterOptions { RegistryName = registryName };
        await new CreatePolicyService(_node.Writer, _node.Accounts, new KeyFetcher(new HttpClient()), new PgpKeyInspector(), options)
            .RunAsync(new CreatePolicyRequest("192.168.122.70", NodeRole.Registry), default);

        var verifier = new InMemoryImageJudge();
        var problems = await new KubeadmPreflight(_node.Writer, verifier, options)
            .CheckAsync(new PreflightRequest([], options.PauseImage, "192.168.122.80", null, false), default);

        Assert.DoesNotContain(problems, p => p.StartsWith("/etc/hosts", StringComparison.Ordinal));
        var host = registryName.Split(':')[0];
        var hosts = _node.Read("/etc/hosts");
        Assert.Equal(host == "192.168.122.70" ? "192.168.122.70 sigstore.local\n" : $"192.168.122.70 {host} sigstore.local\n", hosts);
    }

    [Theory]
    [InlineData("BAD NAME", "not a host name: 'BAD NAME'")]
    [InlineData("10.0.0.9", "--registry-name 10.0.0.9 is not the registry address 192.168.122.70")]
    public async Task CreatePolicy_NameThatBreaksTheHostsFile_RefusedNothingWritten(string registryName, string expected)
    {
        var before = _node.Snapshot();
        var service = new CreatePolicyService(_node.Writer, _node.Accounts, new KeyFetcher(new HttpClient()), new PgpKeyInspector(), new ClusterOptions { RegistryName = registryName });

        var e = await Assert.ThrowsAsync<ClusterException>(() => service.RunAsync(new CreatePolicyRequest("192.168.122.70", NodeRole.Registry), default));

        Assert.Equal(ClusterErrorKind.Usage, e.Kind);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal(before, _node.Snapshot());
    }

    [Fact]
    public async Task CreatePolicy_IpNameOtherThanAddressWithOwnLookaside_Accepted()
    {
        // Signatures come from a URL of their own, so the hosts line does not decide where they are read.
        var options = new ClusterOptions { RegistryName = "127.0.0.1:5000", LookasideUrl = "http://127.0.0.1:5001/sigstore/" };

        await new CreatePolicyService(_node.Writer, _node.Accounts, new KeyFetcher(new HttpClient()), new PgpKeyInspector(), options)
            .RunAsync(new CreatePolicyRequest("192.168.122.70", NodeRole.Registry), default);

        Assert.Contains("location = \"127.0.0.1:5000\"", _node.Read("/etc/containers/registries.conf"), StringComparison.Ordinal);
    }
}
