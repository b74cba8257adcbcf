using U7s.Cluster.Files;
using U7s.Cluster.Kubeadm;
using U7s.Cluster.Node;
using U7s.Cluster.Tests.Support;

namespace U7s.Cluster.Tests.Kubeadm;

/// <summary>
/// The preflight's hosts check for a registry named by its address (<c>--registry-name 10.0.0.10</c>): it needs no
/// hosts line unless the node's registries.d reads signatures from <c>sigstore.local</c>, which must then map to the
/// registry's address.
/// </summary>
public sealed class KubeadmPreflightHostsTests : IDisposable
{
    private readonly NodeFixture _node = new();

    public void Dispose() => _node.Dispose();

    [Theory]
    [InlineData("http://10.0.0.10:81/sigstore/", "", null)]
    [InlineData("http://sigstore.local:81/sigstore/", "10.0.0.99 sigstore.local\n", "/etc/hosts maps 10.0.0.10 to 10.0.0.10 but sigstore.local to 10.0.0.99")]
    [InlineData("http://sigstore.local:81/sigstore/", "", "/etc/hosts does not map 10.0.0.10 and sigstore.local: run u7s create-policy")]
    [InlineData("http://sigstore.local:81/sigstore/", "10.0.0.10 sigstore.local\n", null)]
    public async Task RegistryNamedByAddress_HostsNeededOnlyWhenSignaturesComeFromSigstoreLocal(string lookaside, string hosts, string? problem)
    {
        var options = new ClusterOptions { RegistryName = "10.0.0.10:8580" };
        await _node.Writer.WriteAsync(NodePaths.Hosts, hosts, FileModes.Mode0644, default);
        await _node.Writer.WriteAsync(NodePaths.RegistriesDefault, RegistriesD.Render(lookaside), FileModes.Mode0644, default);

        var problems = await new KubeadmPreflight(_node.Writer, null, options).CheckAsync(new PreflightRequest([], options.PauseImage, "10.0.0.11", null, false), default);

        var hostProblems = problems.Where(p => p.StartsWith("/etc/hosts", StringComparison.Ordinal)).ToList();
        Assert.Equal(problem is null ? [] : [problem], hostProblems);
    }
}
