using System.Security.Cryptography;
using System.Text;
using U7s.Oci;
using U7s.Registry.Gc;
using U7s.Registry.Manifests;
using U7s.Registry.Storage;
using U7s.Testing;

namespace U7s.Registry.Tests.Gc;

public sealed class GarbageCollectorTests : IDisposable
{
    private static readonly RepositoryName Repo = RepositoryName.Parse("gc/app");
    private static readonly TimeSpan Grace = TimeSpan.FromHours(1);
    private readonly TempDirectory _root = new();
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly FileSystemBlobStore _blobs;
    private readonly FileSystemMetadataStore _metadata;
    private readonly FileRegistryLock _lock;
    private readonly ManifestService _manifests;
    private readonly GarbageCollector _gc;

    public GarbageCollectorTests()
    {
        var paths = new StoragePaths(_root.Path);
        _blobs = new FileSystemBlobStore(paths, _clock);
        _metadata = new FileSystemMetadataStore(paths);
        _lock = new FileRegistryLock(paths);
        _manifests = new ManifestService(_blobs, _metadata, _lock, new RegistryOptions { DataRoot = _root.Path });
        _gc = new GarbageCollector(_blobs, _metadata, _lock, _clock);
    }

    [Fact]
    public async Task Unreferenced_PastGrace_IsFreed_ReferencedKept()
    {
        var image = await PushImageAsync("v1");
        var orphan = await PushBlobAsync(5000);
        _clock.Now += Grace * 2;

        var report = await _gc.RunAsync(new GcOptions(false, Grace, false), default);

        Assert.Equal([orphan], report.DeletedBlobs.Select(b => b.Digest));
        Assert.Equal(5000, report.FreedBytes);
        Assert.Null(await _blobs.GetSizeOrNullAsync(orphan, default));
        foreach (var digest in image.All)
        {
            Assert.NotNull(await _blobs.GetSizeOrNullAsync(digest, default));
        }

        Assert.NotNull(await _manifests.GetOrNullAsync(Repo, "v1", default));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(599)]
    public async Task GraceBelowTheMinimum_IsRefused_BeforeAnythingIsTouched(int seconds)
    {
        var orphan = await PushBlobAsync(10);
        _clock.Now += Grace * 2;
        var e = await Assert.ThrowsAsync<ArgumentException>(() => _gc.RunAsync(new GcOptions(false, TimeSpan.FromSeconds(seconds), true), default));
        Assert.Contains("below the minimum", e.Message, StringComparison.Ordinal);
        Assert.NotNull(await _blobs.GetSizeOrNullAsync(orphan, default));
        Assert.True(await _gc.RunAsync(new GcOptions(false, GcOptions.MinimumGrace, true), default) is { DeletedBlobs.Count: 1 });
    }

    [Fact]
    public async Task Unreferenced_WithinGrace_IsSpared()
    {
        var orphan = await PushBlobAsync(10);
        var report = await _gc.RunAsync(new GcOptions(false, Grace, false), default);
        Assert.Empty(report.DeletedBlobs);
        Assert.Equal(1, report.SparedByGracePeriod);
        Assert.NotNull(await _blobs.GetSizeOrNullAsync(orphan, default));
    }

    [Fact]
    public async Task DryRun_ReportsButDeletesNothing()
    {
        var orphan = await PushBlobAsync(10);
        await PushImageAsync("v1");
        var untagged = await PushImageAsync("v2");
        await _metadata.DeleteTagAsync(Repo, Tag.Parse("v2"), default);
        _clock.Now += Grace * 2;

        var report = await _gc.RunAsync(new GcOptions(true, Grace, true), default);

        Assert.True(report.DryRun);
        Assert.Contains(orphan, report.DeletedBlobs.Select(b => b.Digest));
        Assert.Contains((Repo.Value, untagged.Manifest), report.DeletedManifests);
        Assert.NotNull(await _blobs.GetSizeOrNullAsync(orphan, default));
        Assert.NotNull(await _metadata.GetManifestMediaTypeOrNullAsync(Repo, untagged.Manifest, default));
    }

    [Fact]
    public async Task DeleteUntagged_KeepsChildrenOfTaggedIndex_AndReferrersOfLiveManifests()
    {
        var child1 = await PushImageAsync(null);
        var child2 = await PushImageAsync(null);
        var index = await PutManifestAsync("multi", $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciIndex}\",\"manifests\":[{Descriptor(child1)},{Descriptor(child2)}]}}", MediaTypes.OciIndex);
        var sbom = await PushImageAsync(null, $",\"subject\":{{\"mediaType\":\"{MediaTypes.OciIndex}\",\"digest\":\"{index}\",\"size\":1}}");
        var untagged = await PushImageAsync(null);
        var referrerOfDead = await PushImageAsync(null, $",\"subject\":{{\"mediaType\":\"{MediaTypes.OciManifest}\",\"digest\":\"{untagged.Manifest}\",\"size\":1}}");
        _clock.Now += Grace * 2;

        var report = await _gc.RunAsync(new GcOptions(false, Grace, true), default);

        Assert.Equal(
            new[] { untagged.Manifest, referrerOfDead.Manifest }.Select(d => d.ToString()).Order(),
            report.DeletedManifests.Select(m => m.Digest.ToString()).Order());
        foreach (var digest in child1.All.Concat(child2.All).Concat(sbom.All).Append(index))
        {
            Assert.NotNull(await _blobs.GetSizeOrNullAsync(digest, default));
        }

        Assert.Null(await _blobs.GetSizeOrNullAsync(untagged.Layer, default));
        Assert.Null(await _metadata.GetManifestMediaTypeOrNullAsync(Repo, untagged.Manifest, default));
        Assert.Empty(await _metadata.ListReferrersAsync(Repo, untagged.Manifest, default));
        Assert.Single(await _metadata.ListReferrersAsync(Repo, index, default));
    }

    [Fact]
    public async Task BlobReusedByAPush_AfterMarking_IsSpared()
    {
        var old = await PushBlobAsync(100);
        _clock.Now += Grace * 2;
        // A push that references the old blob touches it, which restarts its grace period.
        await _blobs.TouchAsync(old, default);
        var report = await _gc.RunAsync(new GcOptions(false, Grace, false), default);
        Assert.Empty(report.DeletedBlobs);
        Assert.NotNull(await _blobs.GetSizeOrNullAsync(old, default));
    }

    [Fact]
    public async Task ManifestPush_WaitsWhileACollectionHoldsTheLock()
    {
        var config = await PushBlobAsync(20);
        var layer = await PushBlobAsync(30);
        var manifest = $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciManifest}\",\"config\":{{\"mediaType\":\"{MediaTypes.OciConfig}\",\"digest\":\"{config}\",\"size\":20}},\"layers\":[{{\"mediaType\":\"{MediaTypes.OciLayerTar}\",\"digest\":\"{layer}\",\"size\":30}}]}}";
        Task<PutManifestResult> push;
        await using (await _lock.EnterExclusiveAsync(default))
        {
            push = _manifests.PutAsync(Repo, "v1", Encoding.UTF8.GetBytes(manifest), MediaTypes.OciManifest, default);
            await Task.Delay(300);
            Assert.False(push.IsCompleted, "the push went ahead while a collection held the lock");
        }

        await push.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(await _manifests.GetOrNullAsync(Repo, "v1", default));
    }

    private async Task<Digest> PushBlobAsync(int size)
    {
        var bytes = RandomNumberGenerator.GetBytes(size);
        var digest = Digest.Compute(bytes);
        await _blobs.PutAsync(digest, bytes, default);
        await _metadata.LinkBlobAsync(Repo, digest, default);
        return digest;
    }

    private async Task<PushedImage> PushImageAsync(string? tag, string extra = "")
    {
        var config = await PushBlobAsync(50);
        var layer = await PushBlobAsync(500);
        var json = $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciManifest}\",\"config\":{{\"mediaType\":\"{MediaTypes.OciConfig}\",\"digest\":\"{config}\",\"size\":50}},\"layers\":[{{\"mediaType\":\"{MediaTypes.OciLayerTar}\",\"digest\":\"{layer}\",\"size\":500}}]{extra}}}";
        var manifest = await PutManifestAsync(tag, json, MediaTypes.OciManifest);
        return new PushedImage(manifest, config, layer, Encoding.UTF8.GetByteCount(json));
    }

    private async Task<Digest> PutManifestAsync(string? tag, string json, string mediaType)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var result = await _manifests.PutAsync(Repo, tag ?? Digest.Compute(bytes).ToString(), bytes, mediaType, default);
        return result.Digest;
    }

    private static string Descriptor(PushedImage image) =>
        $"{{\"mediaType\":\"{MediaTypes.OciManifest}\",\"digest\":\"{image.Manifest}\",\"size\":{image.Size}}}";

    public void Dispose() => _root.Dispose();

    private sealed record PushedImage(Digest Manifest, Digest Config, Digest Layer, int Size)
    {
        public IEnumerable<Digest> All => [Manifest, Config, Layer];
    }
}
