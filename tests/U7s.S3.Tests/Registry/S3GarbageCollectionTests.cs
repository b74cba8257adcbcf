using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using U7s.Oci;
using U7s.Registry;
using U7s.Registry.Gc;
using U7s.Registry.Manifests;
using U7s.Registry.Storage;
using U7s.S3.Registry;
using U7s.Testing;

namespace U7s.S3.Tests.Registry;

/// <summary>
/// Garbage collection walking S3 metadata under the S3 lock, pushes and the collection on different
/// replicas. Content sits in a filesystem blob store here; the S3 blob store is exercised on its own.
/// </summary>
public sealed class S3GarbageCollectionTests : IAsyncLifetime
{
    private static readonly RepositoryName Repo = RepositoryName.Parse("gc/app");
    private static readonly TimeSpan Grace = TimeSpan.FromHours(1);
    private static readonly S3RegistryLockOptions LockOptions = new() { Poll = TimeSpan.FromMilliseconds(50) };
    private readonly TempDirectory _root = new();
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly FileSystemBlobStore _blobs;
    private S3TestStore? _s3;
    private S3MetadataStore? _metadata;
    private S3RegistryLock? _pushLock;
    private ManifestService? _manifests;
    private GarbageCollector? _gc;

    public S3GarbageCollectionTests() => _blobs = new FileSystemBlobStore(new StoragePaths(_root.Path), _clock);

    private S3MetadataStore Metadata => _metadata!;

    private ManifestService Manifests => _manifests!;

    private GarbageCollector Gc => _gc!;

    public async Task InitializeAsync()
    {
        if (S3TestStore.SkipReason is not null)
        {
            return;
        }

        _s3 = await S3TestStore.CreateAsync();
        _metadata = new S3MetadataStore(_s3.OpenReplica());
        _pushLock = new S3RegistryLock(_s3.OpenReplica(), _clock, LockOptions, NullLogger<S3RegistryLock>.Instance);
        _manifests = new ManifestService(_blobs, _metadata, _pushLock, new RegistryOptions { DataRoot = _root.Path });

        // The collection runs as another process would: its own client, metadata view and lock.
        var gcBucket = _s3.OpenReplica();
        _gc = new GarbageCollector(_blobs, new S3MetadataStore(gcBucket), new S3RegistryLock(gcBucket, _clock, LockOptions, NullLogger<S3RegistryLock>.Instance), _clock);
    }

    public async Task DisposeAsync()
    {
        if (_s3 is not null)
        {
            await _s3.DisposeAsync();
        }

        _root.Dispose();
    }

    [RequiresS3Fact]
    public async Task DeleteUntagged_FreesWhatNoTagReaches_KeepsIndexChildrenReferrersAndOtherRepositories()
    {
        var tagged = await PushImageAsync(Repo, "v1");
        var child = await PushImageAsync(Repo, null);
        var index = await PutManifestAsync(Repo, "multi", $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciIndex}\",\"manifests\":[{Descriptor(child)}]}}", MediaTypes.OciIndex);
        var sbom = await PushImageAsync(Repo, null, Subject(MediaTypes.OciManifest, tagged.Manifest));
        var untagged = await PushImageAsync(Repo, null);
        var referrerOfDead = await PushImageAsync(Repo, null, Subject(MediaTypes.OciManifest, untagged.Manifest));
        var nested = await PushImageAsync(RepositoryName.Parse("gc/app/nested"), "latest");
        var orphan = await PushBlobAsync(Repo, 300);
        _clock.Now += Grace * 2;

        var report = await Gc.RunAsync(new GcOptions(false, Grace, true), default);

        Assert.Equal(
            new[] { untagged.Manifest, referrerOfDead.Manifest }.Select(d => (Repo.Value, d.ToString())).Order(),
            report.DeletedManifests.Select(m => (m.Repository, m.Digest.ToString())).Order());
        Assert.Equal(
            new[] { orphan, untagged.Manifest, untagged.Config, untagged.Layer, referrerOfDead.Manifest, referrerOfDead.Config, referrerOfDead.Layer }.Select(d => d.ToString()).Order(),
            report.DeletedBlobs.Select(b => b.Digest.ToString()).Order());
        foreach (var digest in tagged.All.Concat(child.All).Concat(sbom.All).Concat(nested.All).Append(index))
        {
            Assert.NotNull(await _blobs.GetSizeOrNullAsync(digest, default));
        }

        Assert.Equal(
            new[] { child.Manifest, index, sbom.Manifest, tagged.Manifest }.OrderBy(d => d.Hex),
            (await Metadata.ListManifestsAsync(Repo, default).ToListAsync()).OrderBy(d => d.Hex));
        Assert.Empty(await Metadata.ListReferrersAsync(Repo, untagged.Manifest, default));
        Assert.Equal(sbom.Manifest.ToString(), Assert.Single(await Metadata.ListReferrersAsync(Repo, tagged.Manifest, default)).Digest);
        Assert.NotNull(await Manifests.GetOrNullAsync(RepositoryName.Parse("gc/app/nested"), "latest", default));
        Assert.Empty(await _s3!.Bucket.ListAsync("registry/locks/", default).ToListAsync());
    }

    [RequiresS3Fact]
    public async Task ManifestPush_OnOneReplica_WaitsWhileACollectionOnAnotherHoldsTheLock()
    {
        var config = await PushBlobAsync(Repo, 20);
        var layer = await PushBlobAsync(Repo, 30);
        var manifest = Encoding.UTF8.GetBytes(ImageJson(config, 20, layer, 30, string.Empty));
        var collection = new S3RegistryLock(_s3!.OpenReplica(), _clock, LockOptions, NullLogger<S3RegistryLock>.Instance);

        Task<PutManifestResult> push;
        await using (await collection.EnterExclusiveAsync(default))
        {
            push = Manifests.PutAsync(Repo, "v1", manifest, MediaTypes.OciManifest, default);
            await Task.Delay(600);
            Assert.False(push.IsCompleted, "the push went ahead while a collection held the lock");
            Assert.Null(await Metadata.ResolveTagOrNullAsync(Repo, Tag.Parse("v1"), default));
        }

        await push.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(await Manifests.GetOrNullAsync(Repo, "v1", default));
    }

    [RequiresS3Fact]
    public async Task BlobUsedByAPushInFlightOnAnotherReplica_IsSparedByTheCollection()
    {
        var reused = await PushBlobAsync(Repo, 40);
        var config = await PushBlobAsync(Repo, 20);
        _clock.Now += Grace * 2;

        // A push on another replica has entered and checks its references while the collection marks.
        var push = await _pushLock!.EnterSharedAsync(default);
        var collection = Gc.RunAsync(new GcOptions(false, Grace, false), default);
        while (await _s3!.Bucket.HeadOrNullAsync(S3RegistryLock.ExclusiveKey, default) is null)
        {
            Assert.False(collection.IsCompleted, "the collection swept while a push held the lock");
            await Task.Delay(20);
        }

        await Task.Delay(300);
        Assert.False(collection.IsCompleted, "the collection swept while a push held the lock");
        await _blobs.TouchAsync(reused, default);
        await _blobs.TouchAsync(config, default);
        await push.DisposeAsync();

        var report = await collection.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(report.DeletedBlobs);
        Assert.Equal(2, report.SparedByGracePeriod);
        Assert.NotNull(await _blobs.GetSizeOrNullAsync(reused, default));
    }

    private async Task<Digest> PushBlobAsync(RepositoryName repository, int size)
    {
        var bytes = RandomNumberGenerator.GetBytes(size);
        var digest = Digest.Compute(bytes);
        await _blobs.PutAsync(digest, bytes, default);
        await Metadata.LinkBlobAsync(repository, digest, default);
        return digest;
    }

    private async Task<PushedImage> PushImageAsync(RepositoryName repository, string? tag, string extra = "")
    {
        var config = await PushBlobAsync(repository, 50);
        var layer = await PushBlobAsync(repository, 500);
        var json = ImageJson(config, 50, layer, 500, extra);
        var manifest = await PutManifestAsync(repository, tag, json, MediaTypes.OciManifest);
        return new PushedImage(manifest, config, layer, Encoding.UTF8.GetByteCount(json));
    }

    private async Task<Digest> PutManifestAsync(RepositoryName repository, string? tag, string json, string mediaType)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        return (await Manifests.PutAsync(repository, tag ?? Digest.Compute(bytes).ToString(), bytes, mediaType, default)).Digest;
    }

    private static string ImageJson(Digest config, int configSize, Digest layer, int layerSize, string extra) =>
        $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciManifest}\",\"config\":{{\"mediaType\":\"{MediaTypes.OciConfig}\",\"digest\":\"{config}\",\"size\":{configSize}}},\"layers\":[{{\"mediaType\":\"{MediaTypes.OciLayerTar}\",\"digest\":\"{layer}\",\"size\":{layerSize}}}]{extra}}}";

    private static string Subject(string mediaType, Digest digest) =>
        $",\"subject\":{{\"mediaType\":\"{mediaType}\",\"digest\":\"{digest}\",\"size\":1}}";

    private static string Descriptor(PushedImage image) =>
        $"{{\"mediaType\":\"{MediaTypes.OciManifest}\",\"digest\":\"{image.Manifest}\",\"size\":{image.Size}}}";

    private sealed record PushedImage(Digest Manifest, Digest Config, Digest Layer, int Size)
    {
        public IEnumerable<Digest> All => [Manifest, Config, Layer];
    }
}
