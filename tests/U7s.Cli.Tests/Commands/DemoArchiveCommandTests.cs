using System.Formats.Tar;
using System.Globalization;
using System.Text.Json;
using U7s.Cluster.Kubeadm;
using U7s.Loader.Xz;

namespace U7s.Cli.Tests.Commands;

public sealed class DemoArchiveCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new("u7s-demo");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task DemoArchive_KubernetesVersion_HoldsWhatKubeadmNeedsForIt()
    {
        var path = _temp.Combine("amd64.tar.xz");

        var result = (await CliResult.RunAsync("demo-archive", path, "--kubernetes", "v1.26.9")).Ensure();

        var refs = await RefNamesAsync(path, "amd64");
        var required = KubeadmImages.Required("k8s-c10f1", KubernetesVersion.TryParse("v1.26.9", out var v) ? v! : null!, KubeadmImages.DefaultTags(v!)!);
        Assert.Subset(refs.ToHashSet(), required.ToHashSet());
        Assert.Equal(12, refs.Count);
        Assert.Contains("k8s-c10f1/flannel:v0.21.4", refs);
        Assert.True(new FileInfo(path).Length < 2 << 20);
        Assert.EndsWith(string.Create(CultureInfo.InvariantCulture, $"wrote {path} ({new FileInfo(path).Length / 1024.0:F1} KiB, 12 images, 1.1 MiB of blobs)\n"), result.Output, StringComparison.Ordinal);
        Assert.Equal(12, result.Output.Split('\n').Count(l => l.StartsWith("amd64  k8s-c10f1/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task DemoArchive_OtherArchitecture_WritesThatDirectory()
    {
        var path = _temp.Combine("arm64.tar.xz");

        (await CliResult.RunAsync("demo-archive", path, "--arch", "arm64")).Ensure();

        Assert.Contains("k8s-c10f1/kube-apiserver:v1.26.3", await RefNamesAsync(path, "arm64"));
    }

    [Fact]
    public async Task DemoArchive_OutputExists_RefusedAndLeftAlone()
    {
        var path = _temp.Combine("amd64.tar.xz");
        await File.WriteAllTextAsync(path, "keep me");

        var result = await CliResult.RunAsync("demo-archive", path);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal($"u7s: '{path}' exists; demo-archive writes a new file only", result.Error.TrimEnd('\n'));
        Assert.Equal("keep me", await File.ReadAllTextAsync(path));
    }

    [Theory]
    [InlineData("--kubernetes", "v1.31.0", "u7s: no built-in etcd, CoreDNS and pause tags for Kubernetes v1.31.0; U7s knows {coverage}")]
    [InlineData("--kubernetes", "1.26", "u7s: invalid --kubernetes '1.26' (expected a version such as v1.26.3)")]
    [InlineData("--arch", "sparc", "u7s: unknown architecture 'sparc' (expected one of amd64, arm64, arm, ppc64le, 386)")]
    [InlineData("--platform", "K8S", "u7s: invalid --platform 'K8S' (expected a lowercase path component such as k8s-c10f1)")]
    public async Task DemoArchive_BadOption_RefusedWithoutWriting(string option, string value, string message)
    {
        var path = _temp.Combine("amd64.tar.xz");

        var result = await CliResult.RunAsync("demo-archive", path, option, value);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal(message.Replace("{coverage}", U7s.Cluster.Kubeadm.KubeadmImages.Coverage, StringComparison.Ordinal), result.Error.TrimEnd('\n'));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp.Path));
    }

    private static async Task<List<string>> RefNamesAsync(string path, string arch)
    {
        await using var xz = new XzDecoderStream(File.OpenRead(path));
        await using var tar = new TarReader(xz);
        while (await tar.GetNextEntryAsync() is { } entry)
        {
            if (entry.Name == $"{arch}/index.json")
            {
                using var index = await JsonDocument.ParseAsync(entry.DataStream!);
                return [.. index.RootElement.GetProperty("manifests").EnumerateArray()
                    .Select(m => m.GetProperty("annotations").GetProperty("org.opencontainers.image.ref.name").GetString()!)];
            }
        }

        throw new InvalidOperationException($"no {arch}/index.json");
    }
}
