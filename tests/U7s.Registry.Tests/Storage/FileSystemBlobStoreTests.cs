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
        await upload.AppendAsync(new MemoryStream(new byte[100_000]), null, default);
        Assert.Empty(Directory.EnumerateFiles(_store.Paths.Blobs, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Commit_LeavesNoTempFiles()
    {
        var content = new byte[] { 1, 2, 3 };
        await _store.PutAsync(U7s.Oci.Digest.Compute(content), content, default);
        Assert.DoesNotContain(Directory.EnumerateFiles(_root.Path, "*", SearchOption.AllDirectories), f => Path.GetFileName(f).StartsWith('.'));
    }

    public void Dispose() => _root.Dispose();
}
