using System.IO.Compression;
using System.Text;
using U7s.Loader.Archive;
using U7s.Loader.Generator;
using U7s.Loader.Loading;
using U7s.Loader.Names;
using U7s.Loader.Registry;
using U7s.Loader.Saving;
using U7s.Loader.Tests.Support;
using U7s.Oci;
using U7s.Testing;

namespace U7s.Loader.Tests.Saving;

/// <summary>save-oci against real docker-registry instances: generate → load A → save → load B.</summary>
public sealed class ArchiveSaverTests(DockerRegistry source) : IClassFixture<DockerRegistry>, IDisposable
{
    private readonly TempDirectory _temp = new("u7s-save");

    public void Dispose() => _temp.Dispose();

    [RequiresToolFact("docker-registry", "xz")]
    public async Task SaveAsync_LoadedArchive_RoundTripsIntoAnotherRegistryWithSameDigests()
    {
        using var target = new DockerRegistry();
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("gen.tar.xz"), new GeneratorOptions { ImageCount = 6, Seed = 31 }, CancellationToken.None);
        await LoadAsync(source, archive.Path, null);
        var images = archive.Images.Select(i => SaveImage.Named(Reference.Parse($"registry.local/{i.RefName}"))).ToList();

        var output = _temp.Combine("saved.tar.xz");
        var saver = new ArchiveSaver(source.Client);
        var saved = await saver.SaveAsync(
            new SaveRequest { OutputPath = output, SingleFile = true, Architectures = ["amd64"], Images = images, Xz = new() { Preset = 1, BlockSize = 256 * 1024 } },
            CancellationToken.None);

        Assert.Equal(archive.Images.Select(i => i.RefName), saved.Images.Select(i => i.RefName));
        Assert.Equal(archive.Images.Select(i => i.ManifestDigest), saved.Images.Select(i => i.ManifestDigest));
        Assert.All(saved.Images, i => Assert.False(i.Rewritten));
        var list = (await ExternalProcess.RunAsync("xz", ["--robot", "--list", output])).EnsureSuccess("xz --list").StandardOutput;
        Assert.True(int.Parse(list.Split('\n').Single(l => l.StartsWith("totals", StringComparison.Ordinal)).Split('\t')[2], System.Globalization.CultureInfo.InvariantCulture) > 1, "multi-block xz expected");

        var result = await LoadAsync(target, output, "registry.local/again/k8s-c10f1");
        Assert.Equal(archive.Images.Select(i => i.ManifestDigest), result.Images.Select(i => i.Digest));
        var served = await target.Client.GetManifestOrNullAsync(RepositoryName.Parse("again/k8s-c10f1/etcd"), "3.5.6-0", CancellationToken.None);
        Assert.Equal(archive.Images.Single(i => i.RefName == "k8s-c10f1/etcd:3.5.6-0").ManifestDigest, served!.Digest);
    }

    [RequiresToolFact("docker-registry")]
    public async Task SaveAsync_GzipDockerImage_DecompressesLayersAndRewritesManifest()
    {
        var client = source.Client;
        var repository = RepositoryName.Parse("gz/tool");
        var layerTar = await BuildLayerTarAsync();
        var diffId = Digest.Compute(layerTar);
        var (_, configDigest) = await PushGzipImageAsync(repository, layerTar);

        var outDir = _temp.Combine("out");
        var saver = new ArchiveSaver(client);
        var saved = await saver.SaveAsync(
            new SaveRequest { OutputPath = outDir, SingleFile = false, Architectures = ["amd64"], Images = [SaveImage.Named(Reference.Parse("registry.local/gz/tool:1.0"))] },
            CancellationToken.None);

        var image = Assert.Single(saved.Images);
        Assert.True(image.Rewritten);
        Assert.Equal("gz/tool:1.0", image.RefName);
        Assert.Equal([Path.Combine(outDir, "amd64.tar.xz")], saved.Files);

        using var target = new DockerRegistry();
        var names = NameMapper.Create("registry.local/gz", "gz", null);
        var loader = new ArchiveLoader(new RegistryHttpSink(target.Client), null, null);
        var loaded = await loader.LoadAsync(new LoadRequest { ArchivePath = saved.Files[0], Architecture = "amd64", Names = names }, CancellationToken.None);
        Assert.Equal(image.ManifestDigest, Assert.Single(loaded.Images).Digest);
        var served = await target.Client.GetManifestOrNullAsync(repository, "1.0", CancellationToken.None);
        Assert.Equal(MediaTypes.OciManifest, served!.MediaType);
        var text = Encoding.UTF8.GetString(served.Content);
        Assert.Contains(diffId.ToString(), text, StringComparison.Ordinal);
        Assert.Contains(MediaTypes.OciLayerTar + "\"", text, StringComparison.Ordinal);
        Assert.Contains(configDigest.ToString(), text, StringComparison.Ordinal);
    }

    [RequiresToolFact("docker-registry")]
    public async Task SaveAsync_GzipBombLayer_RefusedAtTheLimitNothingWritten()
    {
        var client = source.Client;
        // 4 MiB of zeros gzip to a few KiB: a thousandfold expansion, as a bomb has.
        var zeros = new byte[4 << 20];
        var (gzipped, _) = await PushGzipImageAsync(RepositoryName.Parse("gz/bomb"), zeros);
        var output = _temp.Combine("bomb.tar.xz");
        var work = _temp.Combine("work");
        Directory.CreateDirectory(work);

        var e = await Assert.ThrowsAsync<LoadException>(() => new ArchiveSaver(client).SaveAsync(
            new SaveRequest { OutputPath = output, SingleFile = true, Architectures = ["amd64"], Images = [SaveImage.Named(Reference.Parse("registry.local/gz/bomb:1.0"))], MaxExpandedLayerFloor = 1 << 20, TemporaryRoot = work },
            CancellationToken.None));

        Assert.Equal(LoadErrorKind.InvalidContent, e.Kind);
        // The limit: the floor, or 32 times the compressed size when that is more.
        Assert.Equal($"layer 1 of 'registry.local/gz/bomb:1.0' decompresses to more than {Math.Max(1 << 20, gzipped.Length * 32)} bytes; refused as a gzip bomb", e.Message);
        Assert.True(zeros.Length > gzipped.Length * 32);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.EnumerateFileSystemEntries(work));
    }

    [RequiresToolTheory("docker-registry")]
    [InlineData("777")]
    [InlineData("770")]
    public Task SaveAsync_DownloadCacheOthersMayWriteTo_RefusedBeforeAnyDownload_ItsContentUntouched(string mode) =>
        PlantedCacheRefusedAsync(mode, otherOwner: false);

    [RequiresRootFact]
    public Task SaveAsync_DownloadCacheOfAnotherUser_RefusedBeforeAnyDownload_ItsContentUntouched() =>
        PlantedCacheRefusedAsync("700", otherOwner: true);

    private async Task PlantedCacheRefusedAsync(string mode, bool otherOwner)
    {
        // Another local user made the default cache next to a save into a shared directory, with a "blob" of their own in it.
        var output = _temp.Combine("shared.tar.xz");
        var cache = SaveRequest.DefaultCacheDirectory(output);
        var planted = Path.Combine(cache, "sha256", new string('a', 64));
        Directory.CreateDirectory(Path.GetDirectoryName(planted)!);
        await File.WriteAllTextAsync(planted, "theirs");
        if (otherOwner)
        {
            (await ExternalProcess.RunAsync("chown", ["-R", "65534:65534", cache])).EnsureSuccess("chown");
        }

        foreach (var directory in new[] { cache, Path.GetDirectoryName(planted)! })
        {
            File.SetUnixFileMode(directory, (UnixFileMode)Convert.ToInt32(mode, 8));
        }

        var e = await Assert.ThrowsAsync<LoadException>(() => new ArchiveSaver(source.Client).SaveAsync(
            new SaveRequest { OutputPath = output, SingleFile = true, Architectures = ["amd64"], Images = [SaveImage.Named(Reference.Parse("registry.local/x/y:1"))] },
            CancellationToken.None));

        Assert.Equal(LoadErrorKind.Usage, e.Kind);
        Assert.StartsWith($"download cache '{cache}' is not safe to use: --cache-dir ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("; remove it or pass --cache-dir", e.Message, StringComparison.Ordinal);
        Assert.Equal("theirs", await File.ReadAllTextAsync(planted));
        Assert.False(File.Exists(output));
    }

    [RequiresToolFact("docker-registry")]
    public async Task SaveAsync_OutputExists_FailsWithoutTouchingIt()
    {
        var output = _temp.Combine("exists.tar.xz");
        await File.WriteAllTextAsync(output, "keep");
        var saver = new ArchiveSaver(source.Client);
        var e = await Assert.ThrowsAsync<LoadException>(() => saver.SaveAsync(
            new SaveRequest { OutputPath = output, SingleFile = true, Architectures = ["amd64"], Images = [SaveImage.Named(Reference.Parse("registry.local/x/y:1"))] },
            CancellationToken.None));
        Assert.Equal(LoadErrorKind.Usage, e.Kind);
        Assert.Equal("keep", await File.ReadAllTextAsync(output));
    }

    [RequiresToolFact("docker-registry")]
    public async Task SaveAsync_MissingImageOrWrongArchitecture_FailsAndLeavesNoFile()
    {
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("gen.tar.xz"), new GeneratorOptions { ImageCount = 1, Seed = 32 }, CancellationToken.None);
        await LoadAsync(source, archive.Path, "registry.local/arch/k8s-c10f1");
        var saver = new ArchiveSaver(source.Client);

        var missing = _temp.Combine("missing.tar.xz");
        var e1 = await Assert.ThrowsAsync<LoadException>(() => saver.SaveAsync(
            new SaveRequest { OutputPath = missing, SingleFile = true, Architectures = ["amd64"], Images = [SaveImage.Named(Reference.Parse("registry.local/nothing/here:1"))] },
            CancellationToken.None));
        Assert.Equal(LoadErrorKind.Registry, e1.Kind);
        Assert.Contains("not found", e1.Message, StringComparison.Ordinal);

        var wrongArch = _temp.Combine("arm");
        var e2 = await Assert.ThrowsAsync<LoadException>(() => saver.SaveAsync(
            new SaveRequest { OutputPath = wrongArch, SingleFile = false, Architectures = ["arm64"], Images = [SaveImage.Named(Reference.Parse("registry.local/arch/k8s-c10f1/kube-apiserver:v1.26.3"))] },
            CancellationToken.None));
        Assert.Contains("is for amd64, not arm64", e2.Message, StringComparison.Ordinal);

        Assert.False(File.Exists(missing));
        Assert.False(Directory.Exists(wrongArch));
        // No temp file or half archive; only the download cache stays for a next run, holding whole blobs only.
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_temp.Path), p => Path.GetFileName(p).StartsWith('.') && p != SaveRequest.DefaultCacheDirectory(wrongArch));
        Assert.All(Directory.EnumerateFiles(SaveRequest.DefaultCacheDirectory(wrongArch), "*", SearchOption.AllDirectories), f => Assert.Equal(Path.GetFileName(f), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))));
        // ... in folders no other user can enter, let alone change between the check of a blob and its use.
        var onlyOurs = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Assert.Equal(onlyOurs, File.GetUnixFileMode(SaveRequest.DefaultCacheDirectory(wrongArch)));
        Assert.Equal(onlyOurs, File.GetUnixFileMode(Path.Combine(SaveRequest.DefaultCacheDirectory(wrongArch), "sha256")));
    }

    /// <summary>Pushes a Docker image of one gzip layer (<paramref name="layerTar"/> compressed) as <c>1.0</c>; its compressed layer and config digest.</summary>
    private async Task<(byte[] Gzipped, Digest ConfigDigest)> PushGzipImageAsync(RepositoryName repository, byte[] layerTar)
    {
        var client = source.Client;
        var gzipped = Gzip(layerTar);
        var gzDigest = Digest.Compute(gzipped);
        var config = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + Digest.Compute(layerTar) + "\"]}}");
        var configDigest = Digest.Compute(config);
        await client.UploadBlobAsync(repository, gzDigest, gzipped.Length, new MemoryStream(gzipped), CancellationToken.None);
        await client.UploadBlobAsync(repository, configDigest, config.Length, new MemoryStream(config), CancellationToken.None);
        var manifest = Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.DockerManifest}\",\"config\":{{\"mediaType\":\"{MediaTypes.DockerConfig}\",\"digest\":\"{configDigest}\",\"size\":{config.Length}}},"
            + $"\"layers\":[{{\"mediaType\":\"{MediaTypes.DockerLayerGzip}\",\"digest\":\"{gzDigest}\",\"size\":{gzipped.Length}}}]}}");
        await client.PutManifestAsync(repository, "1.0", manifest, MediaTypes.DockerManifest, CancellationToken.None);
        return (gzipped, configDigest);
    }

    private static Task<LoadResult> LoadAsync(DockerRegistry registry, string archive, string? target)
    {
        var loader = new ArchiveLoader(new RegistryHttpSink(registry.Client), null, null);
        return loader.LoadAsync(new LoadRequest { ArchivePath = archive, Architecture = "amd64", Names = NameMapper.Create(target, "k8s-c10f1", null) }, CancellationToken.None);
    }

    private static async Task<byte[]> BuildLayerTarAsync()
    {
        using var buffer = new MemoryStream();
        var tar = new UstarWriter(buffer);
        await tar.WriteFileAsync("etc/tool.conf", TestData.Compressible(40, 50_000), CancellationToken.None);
        await tar.FinishAsync(CancellationToken.None);
        return buffer.ToArray();
    }

    private static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return buffer.ToArray();
    }
}
