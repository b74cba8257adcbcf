using System.Text;
using U7s.Loader.Archive;
using U7s.Loader.Loading;
using U7s.Loader.Tests.Support;
using U7s.Oci;

namespace U7s.Loader.Tests.Loading;

/// <summary>
/// The behaviour every <see cref="IImageSink"/> backend MUST have; each backend's test class
/// inherits this and supplies a fresh sink. Repositories are unique per test. A backend that
/// needs an external program fails (rather than passing) when it is missing; CI installs them all.
/// </summary>
public abstract class ImageSinkContract
{
    private readonly string _prefix = "c" + Guid.NewGuid().ToString("N")[..10];

    internal abstract IImageSink CreateSink();

    [Fact]
    public async Task PutBlob_ThenHasBlobAndOpenBlob_ReturnSameBytes()
    {
        var sink = CreateSink();
        var repository = Repo("a");
        var data = TestData.Compressible(60, 300_000);
        var digest = Digest.Compute(data);
        Assert.False(await sink.HasBlobAsync(repository, digest, CancellationToken.None));

        await sink.PutBlobAsync(repository, digest, data.Length, new NonSeekableReadStream(new MemoryStream(data)), CancellationToken.None);

        Assert.True(await sink.HasBlobAsync(repository, digest, CancellationToken.None));
        await using var read = await sink.OpenBlobAsync(repository, digest, CancellationToken.None);
        Assert.Equal(digest.Hex, await TestData.Sha256Async(read));
    }

    [Fact]
    public async Task PutBlob_ContentNotMatchingDigest_FailsAndStoresNothing()
    {
        var sink = CreateSink();
        var repository = Repo("b");
        var data = TestData.Compressible(61, 10_000);
        var claimed = Digest.Compute(Encoding.ASCII.GetBytes("something else"));

        await Assert.ThrowsAnyAsync<Exception>(() => sink.PutBlobAsync(repository, claimed, data.Length, new MemoryStream(data), CancellationToken.None));

        Assert.False(await sink.HasBlobAsync(repository, claimed, CancellationToken.None));
        Assert.False(await sink.HasBlobAsync(repository, Digest.Compute(data), CancellationToken.None));
    }

    [Fact]
    public async Task PutBlob_SourceFailsMidway_FailsAndStoresNothing()
    {
        var sink = CreateSink();
        var repository = Repo("c");
        var data = TestData.Compressible(62, 400_000);
        var digest = Digest.Compute(data);
        var tampered = (byte[])data.Clone();
        tampered[^10] ^= 1;
        await using var verifying = new VerifyingReadStream(new MemoryStream(tampered), digest, data.Length, "test blob");

        await Assert.ThrowsAnyAsync<Exception>(() => sink.PutBlobAsync(repository, digest, data.Length, verifying, CancellationToken.None));

        Assert.NotNull(verifying.Failure);
        Assert.False(await sink.HasBlobAsync(repository, digest, CancellationToken.None));
    }

    [Fact]
    public async Task MountOrBegin_FromRepositoryHoldingIt_MountsWithoutBytes()
    {
        var sink = CreateSink();
        var data = TestData.Compressible(63, 50_000);
        var digest = Digest.Compute(data);
        await sink.PutBlobAsync(Repo("d1"), digest, data.Length, new MemoryStream(data), CancellationToken.None);

        await using var upload = await sink.MountOrBeginBlobAsync(Repo("d2"), digest, Repo("d1"), CancellationToken.None);

        Assert.Null(upload);
        Assert.True(await sink.HasBlobAsync(Repo("d2"), digest, CancellationToken.None));
    }

    [Fact]
    public async Task MountOrBegin_BlobNowhere_ReturnsUploadThatStoresTheContent()
    {
        var sink = CreateSink();
        var data = TestData.Compressible(65, 70_000);
        var digest = Digest.Compute(data);

        await using (var upload = await sink.MountOrBeginBlobAsync(Repo("g"), digest, null, CancellationToken.None))
        {
            Assert.NotNull(upload);
            Assert.False(await sink.HasBlobAsync(Repo("g"), digest, CancellationToken.None));
            await upload.CompleteAsync(data.Length, new NonSeekableReadStream(new MemoryStream(data)), CancellationToken.None);
        }

        Assert.True(await sink.HasBlobAsync(Repo("g"), digest, CancellationToken.None));
    }

    [Fact]
    public async Task MountOrBegin_UploadDisposedWithoutContent_StoresNothing()
    {
        var sink = CreateSink();
        var digest = Digest.Compute(TestData.Compressible(66, 1_000));

        await using (var upload = await sink.MountOrBeginBlobAsync(Repo("h"), digest, null, CancellationToken.None))
        {
            Assert.NotNull(upload);
        }

        Assert.False(await sink.HasBlobAsync(Repo("h"), digest, CancellationToken.None));
    }

    [Fact]
    public async Task PutManifest_BlobsPresent_StoresUnderTagAndDigest()
    {
        var sink = CreateSink();
        var repository = Repo("e");
        var (manifest, _) = await PushImageBlobsAsync(sink, repository, pushLayer: true);

        var byTag = await sink.PutManifestAsync(repository, "v1", manifest, MediaTypes.OciManifest, CancellationToken.None);
        var byDigest = await sink.PutManifestAsync(repository, Digest.Compute(manifest).ToString(), manifest, MediaTypes.OciManifest, CancellationToken.None);

        Assert.Equal(Digest.Compute(manifest), byTag);
        Assert.Equal(byTag, byDigest);
    }

    [Fact]
    public async Task PutManifest_ReferencedBlobAbsent_Fails()
    {
        var sink = CreateSink();
        var repository = Repo("f");
        var (manifest, _) = await PushImageBlobsAsync(sink, repository, pushLayer: false);

        await Assert.ThrowsAnyAsync<Exception>(() => sink.PutManifestAsync(repository, "v1", manifest, MediaTypes.OciManifest, CancellationToken.None));
    }

    private RepositoryName Repo(string name) => RepositoryName.Parse($"{_prefix}/{name}");

    private static async Task<(byte[] Manifest, Digest Layer)> PushImageBlobsAsync(IImageSink sink, RepositoryName repository, bool pushLayer)
    {
        var layer = TestData.Compressible(64, 20_000);
        var layerDigest = Digest.Compute(layer);
        var config = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + layerDigest + "\"]}}");
        var configDigest = Digest.Compute(config);
        await sink.PutBlobAsync(repository, configDigest, config.Length, new MemoryStream(config), CancellationToken.None);
        if (pushLayer)
        {
            await sink.PutBlobAsync(repository, layerDigest, layer.Length, new MemoryStream(layer), CancellationToken.None);
        }

        var manifest = Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciManifest}\",\"config\":{{\"mediaType\":\"{MediaTypes.OciConfig}\",\"digest\":\"{configDigest}\",\"size\":{config.Length}}},"
            + $"\"layers\":[{{\"mediaType\":\"{MediaTypes.OciLayerTar}\",\"digest\":\"{layerDigest}\",\"size\":{layer.Length}}}]}}");
        return (manifest, layerDigest);
    }
}
