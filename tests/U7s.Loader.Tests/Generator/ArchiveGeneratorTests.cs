using U7s.Cluster.Kubeadm;
using U7s.Loader.Generator;
using U7s.Loader.Tests.Support;
using U7s.Testing;

namespace U7s.Loader.Tests.Generator;

public sealed class ArchiveGeneratorTests : IDisposable
{
    private readonly TempDirectory _temp = new("u7s-gen-test");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task WriteAsync_SameOptions_ByteIdenticalArchives()
    {
        var options = new GeneratorOptions { ImageCount = 3, Seed = 77, LayerBytes = 32 * 1024 };
        var a = await ArchiveGenerator.WriteAsync(_temp.Combine("a.tar.xz"), options, CancellationToken.None);
        var b = await ArchiveGenerator.WriteAsync(_temp.Combine("b.tar.xz"), options, CancellationToken.None);
        var c = await ArchiveGenerator.WriteAsync(_temp.Combine("c.tar.xz"), options with { Seed = 78 }, CancellationToken.None);

        Assert.Equal(TestData.Sha256(await File.ReadAllBytesAsync(a.Path)), TestData.Sha256(await File.ReadAllBytesAsync(b.Path)));
        Assert.NotEqual(a.Images[0].ManifestDigest, c.Images[0].ManifestDigest);
        Assert.Equal(["k8s-c10f1/kube-apiserver:v1.26.3", "k8s-c10f1/kube-controller-manager:v1.26.3", "k8s-c10f1/kube-scheduler:v1.26.3"], a.Images.Select(i => i.RefName));
        // Base layers are shared: every image starts with the same two layers.
        Assert.Single(a.Images.Select(i => i.Layers[0]).Distinct());
        Assert.Single(a.Images.Select(i => i.Layers[1]).Distinct());
    }

    [Fact]
    public async Task WriteAsync_KubernetesSet_IsWhatKubeadmInitRequiresByDefault()
    {
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("k8s.tar.xz"), new GeneratorOptions { ImageCount = 9, Seed = 79, LayerBytes = 8 * 1024 }, CancellationToken.None);

        // `u7s kubeadm init` without tag flags: the kubeadm set of the default release plus flannel (one table in U7s.Cluster).
        var defaults = KubeadmImages.Defaults;
        string[] required =
        [
            .. KubeadmImages.Required("k8s-c10f1", KubeadmImages.DefaultKubernetesVersion, KubeadmImages.DefaultReleaseTags),
            $"k8s-c10f1/flannel:{defaults.Flannel}",
            $"k8s-c10f1/flannel-cni-plugin:{defaults.FlannelCniPlugin}",
        ];
        Assert.Equal(required.Order(StringComparer.Ordinal), archive.Images.Select(i => i.RefName).Order(StringComparer.Ordinal));
        Assert.Contains("k8s-c10f1/flannel:v0.21.4", required);
        Assert.Contains("k8s-c10f1/flannel-cni-plugin:v1.1.2", required);
    }

    [RequiresToolFact("tar", "xz")]
    public async Task WriteAsync_Output_IsReadByGnuTarAndXz()
    {
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("k.tar.xz"), new GeneratorOptions { Seed = 78, LayerBytes = 16 * 1024 }, CancellationToken.None);

        (await ExternalProcess.RunAsync("xz", ["-t", archive.Path])).EnsureSuccess("xz -t");
        var listing = (await ExternalProcess.RunAsync("tar", ["-tJf", archive.Path])).EnsureSuccess("tar -t").StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("amd64/oci-layout", listing);
        Assert.Contains("amd64/index.json", listing);
        Assert.Equal(12, archive.Images.Count);
        foreach (var image in archive.Images)
        {
            Assert.Contains($"amd64/blobs/sha256/{image.ManifestDigest.Hex}", listing);
            Assert.All(image.Layers, l => Assert.Contains($"amd64/blobs/sha256/{l.Hex}", listing));
        }

        var extracted = _temp.Combine("x");
        Directory.CreateDirectory(extracted);
        (await ExternalProcess.RunAsync("tar", ["-xJf", archive.Path, "-C", extracted])).EnsureSuccess("tar -x");
        var layer = archive.Images[5].Layers[^1];
        Assert.Equal(layer.Hex, TestData.Sha256(await File.ReadAllBytesAsync(Path.Combine(extracted, "amd64", "blobs", "sha256", layer.Hex))));
        var inner = (await ExternalProcess.RunAsync("tar", ["-tf", Path.Combine(extracted, "amd64", "blobs", "sha256", layer.Hex)])).EnsureSuccess("tar -t layer").StandardOutput;
        Assert.Contains("usr/share/coredns-", inner, StringComparison.Ordinal);
    }
}
