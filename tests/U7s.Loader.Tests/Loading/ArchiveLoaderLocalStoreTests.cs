using System.Security.Cryptography;
using U7s.Loader.Generator;
using U7s.Loader.Loading;
using U7s.Loader.Names;
using U7s.Loader.Tests.Support;
using U7s.Oci;
using U7s.Registry;
using U7s.Registry.Blobs;
using U7s.Registry.Manifests;
using U7s.Registry.Storage;
using U7s.Testing;

namespace U7s.Loader.Tests.Loading;

/// <summary>
/// Loads into the local filesystem store (what <c>load-sign-oci --data</c> does). Layers reach the store through
/// the loader's verifying stream, whose digest check the store takes instead of hashing again: every blob that
/// becomes visible still hashes to its name, and a layer that does not, small (its first bytes read ahead to tell
/// it from a JSON document) or large, is refused with nothing published.
/// </summary>
public sealed class ArchiveLoaderLocalStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new("u7s-loadlocal");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Load_EveryStoredBlobHashesToItsName_AndNoUploadIsLeft()
    {
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("k8s.tar.xz"), new GeneratorOptions { ImageCount = 3, Seed = 31, LayerBytes = 48 * 1024 }, CancellationToken.None);
        var (loader, paths, manifests) = CreateLoader();

        var result = await loader.LoadAsync(Request(archive.Path), CancellationToken.None);

        Assert.Equal(3, result.Images.Count);
        var expected = archive.Images.SelectMany(i => i.Layers.Append(i.ConfigDigest).Append(i.ManifestDigest)).Select(d => d.Hex).ToHashSet();
        var stored = Directory.EnumerateFiles(paths.Blobs, "*", SearchOption.AllDirectories).ToList();
        Assert.Equal(expected.Order(StringComparer.Ordinal), stored.Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));
        foreach (var file in stored)
        {
            Assert.Equal(Path.GetFileName(file), Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(file))));
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(paths.Uploads));
        foreach (var image in archive.Images)
        {
            Assert.Equal(image.ManifestDigest, await manifests.ResolveOrNullAsync(Repository(image), Tag(image), CancellationToken.None));
        }
    }

    [Theory]
    [InlineData(48 * 1024)]
    [InlineData(5 << 20)]
    public async Task TamperedLayer_RefusedAsInvalidContent_NothingPublished(int layerBytes)
    {
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("k8s.tar.xz"), new GeneratorOptions { ImageCount = 2, Seed = 32, LayerBytes = layerBytes, XzPreset = 0 }, CancellationToken.None);
        var layer = archive.Images[^1].Layers[^1];
        var tampered = _temp.Combine("tampered.tar.xz");
        await ArchiveMutator.RewriteAsync(archive.Path, tampered, ArchiveMutator.Replace($"amd64/blobs/sha256/{layer.Hex}", bytes =>
        {
            bytes[^10] ^= 1;
            return bytes;
        }));
        var (loader, paths, manifests) = CreateLoader();

        var e = await Assert.ThrowsAsync<LoadException>(() => loader.LoadAsync(Request(tampered), CancellationToken.None));

        Assert.Equal(LoadErrorKind.InvalidContent, e.Kind);
        Assert.Contains($"amd64/blobs/sha256/{layer.Hex}: content has digest sha256:", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(paths.Blob(layer)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(paths.Uploads));
        foreach (var image in archive.Images)
        {
            Assert.Null(await manifests.ResolveOrNullAsync(Repository(image), Tag(image), CancellationToken.None));
        }
    }

    private (ArchiveLoader Loader, StoragePaths Paths, ManifestService Manifests) CreateLoader()
    {
        var root = Directory.CreateDirectory(_temp.Combine($"data-{Guid.NewGuid():N}")).FullName;
        var paths = new StoragePaths(root);
        var blobs = new FileSystemBlobStore(paths, TimeProvider.System);
        var metadata = new FileSystemMetadataStore(paths);
        var options = new RegistryOptions { DataRoot = root };
        var registryLock = new FileRegistryLock(paths);
        var manifests = new ManifestService(blobs, metadata, registryLock, options);
        var sink = new LocalStoreSink(new BlobService(blobs, metadata, registryLock, new UploadQuota(options), new RegistryMetrics(), options), manifests);
        return (new ArchiveLoader(sink, null, null), paths, manifests);
    }

    private LoadRequest Request(string archive)
    {
        var spool = Directory.CreateDirectory(_temp.Combine("spool")).FullName;
        return new LoadRequest { TemporaryRoot = spool, ArchivePath = archive, Architecture = "amd64", Names = NameMapper.Create("registry.local/local/k8s-c10f1", "k8s-c10f1", null) };
    }

    private static RepositoryName Repository(GeneratedImage image) =>
        RepositoryName.Parse($"local/{image.RefName[..image.RefName.LastIndexOf(':')]}");

    private static string Tag(GeneratedImage image) => image.RefName[(image.RefName.LastIndexOf(':') + 1)..];
}
