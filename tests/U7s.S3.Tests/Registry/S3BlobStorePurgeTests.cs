using System.Security.Cryptography;
using U7s.Oci;
using U7s.Registry.Storage;
using U7s.S3.Registry;
using U7s.Testing;

namespace U7s.S3.Tests.Registry;

/// <summary>Expiry of abandoned uploads: their objects and, above all, their multipart uploads, which S3 keeps (and bills) until aborted.</summary>
public sealed class S3BlobStorePurgeTests : IAsyncLifetime
{
    private const int Part = S3StorageOptions.MinPartBytes;
    private static readonly RepositoryName Repo = RepositoryName.Parse("s3/purge");

    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private S3TestStore _s3 = null!;
    private S3BlobStore _store = null!;

    public async Task InitializeAsync()
    {
        _s3 = await S3TestStore.CreateAsync(Part);
        _store = new S3BlobStore(_s3.Bucket, _s3.Options, _clock);
    }

    public async Task DisposeAsync() => await _s3.DisposeAsync();

    [RequiresS3Fact]
    public async Task Purge_IdleUploads_AbortsTheirMultipartUploads()
    {
        // One upload with a recorded multipart upload, one whose only append failed after its first part:
        // that multipart upload is named by no state at all.
        var recorded = await _store.StartUploadAsync(Repo, default);
        var content = RandomNumberGenerator.GetBytes(Part + 1000);
        await recorded.AppendAsync(new RequestBodyStream(content, 0, content.Length), UploadChunk.Unbounded, default);
        var orphaned = await _store.StartUploadAsync(Repo, default);
        await Assert.ThrowsAsync<IOException>(() => orphaned.AppendAsync(new RequestBodyStream(content, 0, content.Length, failAtEnd: true), UploadChunk.Unbounded, default));
        Assert.Equal(0, orphaned.Length);
        Assert.Equal(2, (await MultipartUploadsAsync()).Count);

        Assert.Equal(0, await _store.PurgeUploadsAsync(TimeSpan.FromHours(1), default));
        _clock.Now += TimeSpan.FromHours(2);
        Assert.Equal(2, await _store.PurgeUploadsAsync(TimeSpan.FromHours(1), default));

        Assert.Empty(await MultipartUploadsAsync());
        Assert.Empty(await _s3.Bucket.ListAsync(S3RegistryKeys.Uploads, default).ToListAsync());
        Assert.Null(await _store.GetUploadOrNullAsync(recorded.Id, default));
        Assert.Equal(0, _store.Hashes.Count);
    }

    [RequiresS3Fact]
    public async Task Purge_UploadStillSendingParts_IsSpared()
    {
        _clock.Now = DateTimeOffset.UtcNow - TimeSpan.FromHours(3);
        var upload = await _store.StartUploadAsync(Repo, default);
        _clock.Now = DateTimeOffset.UtcNow;

        // What a long append in flight looks like: its state is old, its multipart upload gets parts now.
        var key = S3RegistryKeys.NewUploadData(upload.Id);
        var multipart = await _s3.Bucket.StartMultipartAsync(key, default);
        using (var part = new MemoryStream([1, 2, 3]))
        {
            Assert.NotNull(await _s3.Bucket.UploadPartOrNullAsync(key, multipart, 1, part, 3, default));
        }

        Assert.Equal(0, await _store.PurgeUploadsAsync(TimeSpan.FromHours(1), default));
        Assert.NotNull(await _store.GetUploadOrNullAsync(upload.Id, default));

        _clock.Now += TimeSpan.FromHours(2);
        Assert.Equal(1, await _store.PurgeUploadsAsync(TimeSpan.FromHours(1), default));
        Assert.Null(await _store.GetUploadOrNullAsync(upload.Id, default));
        Assert.Empty(await MultipartUploadsAsync());
    }

    [RequiresS3Fact]
    public async Task Purge_LeftoversWithoutState_AreRemoved()
    {
        // A commit or cancel that crashed after deleting the state leaves objects nobody names.
        var upload = await _store.StartUploadAsync(Repo, default);
        await upload.AppendAsync(new MemoryStream(new byte[100]), UploadChunk.Unbounded, default);
        await _s3.Bucket.DeleteAsync(S3RegistryKeys.UploadState(upload.Id), default);
        Assert.NotEmpty(await _s3.Bucket.ListAsync(S3RegistryKeys.Upload(upload.Id), default).ToListAsync());

        Assert.Equal(1, await _store.PurgeUploadsAsync(TimeSpan.FromHours(1), default));
        Assert.Empty(await _s3.Bucket.ListAsync(S3RegistryKeys.Uploads, default).ToListAsync());
    }

    private async Task<List<S3MultipartUploadInfo>> MultipartUploadsAsync() =>
        await _s3.Bucket.ListMultipartUploadsAsync(string.Empty, default).ToListAsync();
}
