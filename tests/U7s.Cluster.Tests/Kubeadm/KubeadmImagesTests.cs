using System.Text;
using U7s.Cluster.Kubeadm;

namespace U7s.Cluster.Tests.Kubeadm;

/// <summary>
/// The built-in image sets against <c>kubeadm config images list</c> of each release: one row per
/// first and last patch release of every tag change, v1.24 to v1.30.
/// </summary>
public sealed class KubeadmImagesTests
{
    [Theory]
    [InlineData("v1.24.0", "3.7", "3.5.3-0", "v1.8.6")]
    [InlineData("v1.24.7", "3.7", "3.5.3-0", "v1.8.6")]
    [InlineData("v1.24.8", "3.7", "3.5.5-0", "v1.8.6")]
    [InlineData("v1.24.9", "3.7", "3.5.6-0", "v1.8.6")]
    [InlineData("v1.24.17", "3.7", "3.5.6-0", "v1.8.6")]
    [InlineData("v1.25.0", "3.8", "3.5.4-0", "v1.9.3")]
    [InlineData("v1.25.3", "3.8", "3.5.4-0", "v1.9.3")]
    [InlineData("v1.25.4", "3.8", "3.5.5-0", "v1.9.3")]
    [InlineData("v1.25.5", "3.8", "3.5.6-0", "v1.9.3")]
    [InlineData("v1.25.14", "3.8", "3.5.6-0", "v1.9.3")]
    [InlineData("v1.25.15", "3.8", "3.5.9-0", "v1.9.3")]
    [InlineData("v1.25.16", "3.8", "3.5.9-0", "v1.9.3")]
    [InlineData("v1.26.0", "3.9", "3.5.6-0", "v1.9.3")]
    [InlineData("v1.26.3", "3.9", "3.5.6-0", "v1.9.3")]
    [InlineData("v1.26.9", "3.9", "3.5.6-0", "v1.9.3")]
    [InlineData("v1.26.10", "3.9", "3.5.9-0", "v1.9.3")]
    [InlineData("v1.26.12", "3.9", "3.5.9-0", "v1.9.3")]
    [InlineData("v1.26.13", "3.9", "3.5.10-0", "v1.9.3")]
    [InlineData("v1.26.15", "3.9", "3.5.10-0", "v1.9.3")]
    [InlineData("v1.27.0", "3.9", "3.5.7-0", "v1.10.1")]
    [InlineData("v1.27.6", "3.9", "3.5.7-0", "v1.10.1")]
    [InlineData("v1.27.7", "3.9", "3.5.9-0", "v1.10.1")]
    [InlineData("v1.27.9", "3.9", "3.5.9-0", "v1.10.1")]
    [InlineData("v1.27.10", "3.9", "3.5.10-0", "v1.10.1")]
    [InlineData("v1.27.11", "3.9", "3.5.10-0", "v1.10.1")]
    [InlineData("v1.27.12", "3.9", "3.5.12-0", "v1.10.1")]
    [InlineData("v1.27.16", "3.9", "3.5.12-0", "v1.10.1")]
    [InlineData("v1.28.0", "3.9", "3.5.9-0", "v1.10.1")]
    [InlineData("v1.28.5", "3.9", "3.5.9-0", "v1.10.1")]
    [InlineData("v1.28.6", "3.9", "3.5.10-0", "v1.10.1")]
    [InlineData("v1.28.7", "3.9", "3.5.10-0", "v1.10.1")]
    [InlineData("v1.28.8", "3.9", "3.5.12-0", "v1.10.1")]
    [InlineData("v1.28.13", "3.9", "3.5.12-0", "v1.10.1")]
    [InlineData("v1.28.14", "3.9", "3.5.15-0", "v1.10.1")]
    [InlineData("v1.28.15", "3.9", "3.5.15-0", "v1.10.1")]
    [InlineData("v1.29.0", "3.9", "3.5.10-0", "v1.11.1")]
    [InlineData("v1.29.2", "3.9", "3.5.10-0", "v1.11.1")]
    [InlineData("v1.29.3", "3.9", "3.5.12-0", "v1.11.1")]
    [InlineData("v1.29.8", "3.9", "3.5.12-0", "v1.11.1")]
    [InlineData("v1.29.9", "3.9", "3.5.15-0", "v1.11.1")]
    [InlineData("v1.29.10", "3.9", "3.5.15-0", "v1.11.1")]
    [InlineData("v1.30.0", "3.9", "3.5.12-0", "v1.11.1")]
    [InlineData("v1.30.4", "3.9", "3.5.12-0", "v1.11.1")]
    [InlineData("v1.30.5", "3.9", "3.5.15-0", "v1.11.3")]
    [InlineData("v1.30.6", "3.9", "3.5.15-0", "v1.11.3")]
    public void DefaultTags_EachRelease_AsKubeadmListsThem(string release, string pause, string etcd, string coreDns)
    {
        Assert.True(KubernetesVersion.TryParse(release, out var version));

        Assert.Equal(new ImageTags(pause, etcd, coreDns), KubeadmImages.DefaultTags(version!));
    }

    [Theory]
    [InlineData("v1.23.17")]
    [InlineData("v1.29.11")]
    [InlineData("v1.30.7")]
    [InlineData("v1.31.0")]
    [InlineData("v2.26.0")]
    public void DefaultTags_OutsideTheTable_Null(string release)
    {
        Assert.True(KubernetesVersion.TryParse(release, out var version));

        Assert.Null(KubeadmImages.DefaultTags(version!));
    }

    [Fact]
    public void Table_EveryMinorFromZeroWithoutGaps()
    {
        foreach (var minor in KubeadmImages.Releases.GroupBy(r => r.From.Split('.')[1]))
        {
            var rows = minor.ToList();
            Assert.EndsWith(".0", rows[0].From, StringComparison.Ordinal);
            for (var i = 1; i < rows.Count; i++)
            {
                Assert.Equal(Patch(rows[i - 1].Through) + 1, Patch(rows[i].From));
            }
        }

        Assert.Equal("v1.24.0-v1.24.17, v1.25.0-v1.25.16, v1.26.0-v1.26.15, v1.27.0-v1.27.16, v1.28.0-v1.28.15, v1.29.0-v1.29.10, v1.30.0-v1.30.6", KubeadmImages.Coverage);
    }

    [Fact]
    public void Upstream_TheReleasesImagesAsPublished_UnderTheArchiveNames()
    {
        Assert.True(KubernetesVersion.TryParse("v1.27.16", out var version));

        var images = KubeadmImages.Upstream(version!);

        Assert.Equal(
            [
                new UpstreamImage("registry.k8s.io/kube-apiserver:v1.27.16", "kube-apiserver", "v1.27.16"),
                new UpstreamImage("registry.k8s.io/kube-controller-manager:v1.27.16", "kube-controller-manager", "v1.27.16"),
                new UpstreamImage("registry.k8s.io/kube-scheduler:v1.27.16", "kube-scheduler", "v1.27.16"),
                new UpstreamImage("registry.k8s.io/kube-proxy:v1.27.16", "kube-proxy", "v1.27.16"),
                new UpstreamImage("registry.k8s.io/pause:3.9", "pause", "3.9"),
                new UpstreamImage("registry.k8s.io/etcd:3.5.12-0", "etcd", "3.5.12-0"),
                new UpstreamImage("registry.k8s.io/coredns/coredns:v1.10.1", "coredns", "v1.10.1"),
                new UpstreamImage("docker.io/flannel/flannel:v0.21.4", "flannel", "v0.21.4"),
                new UpstreamImage("docker.io/flannel/flannel-cni-plugin:v1.1.2", "flannel-cni-plugin", "v1.1.2"),
            ],
            images);
        Assert.True(KubernetesVersion.TryParse("v1.31.0", out var outside));
        Assert.Null(KubeadmImages.Upstream(outside!));
    }

    [Fact]
    public void KnownVersions_EveryPatchReleaseOfTheTable_NewestFirst()
    {
        var known = KubeadmImages.KnownVersions.ToList();

        Assert.Equal("v1.30.6", known[0]);
        Assert.Equal("v1.24.0", known[^1]);
        Assert.Equal(18 + 17 + 16 + 17 + 16 + 11 + 7, known.Count);
        Assert.Equal(known.Count, known.Distinct().Count());
        Assert.All(known, v => Assert.True(KubernetesVersion.TryParse(v, out var parsed) && KubeadmImages.DefaultTags(parsed!) is not null, v));
    }

    [Fact]
    public void Defaults_ArePlatformK8sC10f1()
    {
        Assert.Equal(new KubernetesVersion(1, 26, 3), KubeadmImages.DefaultKubernetesVersion);
        Assert.Equal(new ImageTags("3.9", "3.5.6-0", "v1.9.3"), KubeadmImages.DefaultReleaseTags);
        Assert.Equal(new KubeadmImageDefaults("v1.26.3", "v0.21.4", "v1.1.2"), KubeadmImages.Defaults);
        Assert.Equal("3.9", new ClusterOptions().PauseTag);
    }

    [Theory]
    [InlineData("""{"source":"s","defaults":{"kubernetesVersion":"v1.26.3","flannel":"a","flannelCniPlugin":"b"},"releases":[{"from":"v1.26.0","through":"v1.27.1","pause":"p","etcd":"e","coreDns":"c"}]}""", "not a range of patch releases of one minor release")]
    [InlineData("""{"source":"s","defaults":{"kubernetesVersion":"v1.26.3","flannel":"a","flannelCniPlugin":"b"},"releases":[{"from":"v1.26.0","through":"v1.26.5","pause":"p","etcd":"e","coreDns":"c"},{"from":"v1.26.5","through":"v1.26.9","pause":"p","etcd":"e","coreDns":"c"}]}""", "overlaps")]
    [InlineData("""{"source":"s","defaults":{"kubernetesVersion":"v1.25.3","flannel":"a","flannelCniPlugin":"b"},"releases":[{"from":"v1.26.0","through":"v1.26.5","pause":"p","etcd":"e","coreDns":"c"}]}""", "the default release v1.25.3 has no row")]
    [InlineData("""{"source":"s","defaults":{"kubernetesVersion":"v1.26.3","flannel":"a","flannelCniPlugin":"b"},"releases":[{"from":"v1.26.0","through":"v1.26.5","pause":"p","etcd":"","coreDns":"c"}]}""", "lacks a pause, etcd or coreDns tag")]
    [InlineData("""{"source":"s","defaults":{"kubernetesVersion":"v1.26.3","flannel":"a","flannelCniPlugin":"b"},"releases":[{"from":"v1.26.0","through":"v1.26.5","pause":"p","etcd":"e","coreDns":"c","typo":1}]}""", "typo")]
    public void Load_BrokenTable_Refused(string json, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => KubeadmImages.Load(new MemoryStream(Encoding.UTF8.GetBytes(json))));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    private static int Patch(string version) => int.Parse(version.Split('.')[2], System.Globalization.CultureInfo.InvariantCulture);
}
