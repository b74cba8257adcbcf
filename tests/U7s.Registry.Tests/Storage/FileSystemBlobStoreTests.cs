using U7s.Registry.Storage;
using U7s.Testing;

namespace U7s.Registry.Tests.Storage;

public sealed class FileSystemBlobStoreTests : BlobStoreContract, IDisposable
{
    private readonly TempDirectory _root = new();
    private readonly FileSystemBlobStore _store;

    public FileSystemBlobStoreTests()
    {
        _store = new FileSystemBlobStore(new StoragePaths(_root.Path), Clock);
    }

    protected override IBlobStore Store => _store;

    protected override IBlobStore Reopen() => new FileSystemBlobStore(new StoragePaths(_root.Path), Clock);

    [Fact]
    public async Task Upload_BeforeCommit_NothingUnderBlobs()
    {
        var upload = await _store.StartUploadAsync(U7s.Oci.RepositoryName.Parse("a"), default);
        await upload.AppendAsync(new MemoryStream(new byte[100_000]), UploadChunk.Unbounded, default);
        Assert.Empty(Directory.EnumerateFiles(_store.Paths.Blobs, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Commit_LeavesNoTempFiles()
    {
        var content = new byte[] { 1, 2, 3 };
        await _store.PutAsync(U7s.Oci.Digest.Compute(content), content, default);
        Assert.DoesNotContain(Directory.EnumerateFiles(_root.Path, "*", SearchOption.AllDirectories), f => Path.GetFileName(f).StartsWith('.'));
    }

    [Fact]
    public async Task Purge_RemovesTempFilesACrashLeft_OnlyOnceTheyAreOld()
    {
        var tags = Path.Combine(_store.Paths.Repositories, "crash", "app", "_tags");
        Directory.CreateDirectory(tags);
        await File.WriteAllTextAsync(Path.Combine(tags, "v1"), "sha256:" + new string('a', 64));
        var oldPut = Path.Combine(_store.Paths.Uploads, ".put-" + Guid.NewGuid().ToString("N"));
        var freshPut = Path.Combine(_store.Paths.Uploads, ".put-" + Guid.NewGuid().ToString("N"));
        var oldTmp = Path.Combine(tags, $".tmp-v2-{Guid.NewGuid():N}");
        var freshTmp = Path.Combine(tags, $".tmp-v3-{Guid.NewGuid():N}");
        foreach (var file in new[] { oldPut, freshPut, oldTmp, freshTmp })
        {
            await File.WriteAllTextAsync(file, "partial");
        }

        File.SetLastWriteTimeUtc(oldPut, (Clock.Now - TimeSpan.FromHours(3)).UtcDateTime);
        File.SetLastWriteTimeUtc(oldTmp, (Clock.Now - TimeSpan.FromHours(3)).UtcDateTime);
        File.SetLastWriteTimeUtc(freshPut, (Clock.Now - TimeSpan.FromMinutes(30)).UtcDateTime);

        // A short upload expiry does not make a temp file younger than an hour look abandoned.
        Assert.Equal(2, await _store.PurgeUploadsAsync(TimeSpan.FromMinutes(1), default));
        Assert.False(File.Exists(oldPut));
        Assert.False(File.Exists(oldTmp));
        Assert.True(File.Exists(freshPut));
        Assert.True(File.Exists(freshTmp));
        Assert.True(File.Exists(Path.Combine(tags, "v1")));
    }

    public void Dispose() => _root.Dispose();
}
