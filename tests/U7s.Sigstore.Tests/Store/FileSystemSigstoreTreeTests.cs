using U7s.Oci;
using U7s.Sigstore.Store;

namespace U7s.Sigstore.Tests.Store;

public sealed class FileSystemSigstoreTreeTests : SigstoreTreeContract
{
    private readonly TempDirectory _temp = new("u7s-tree");

    protected override Task<ISigstoreTree> CreateTreeAsync() => Task.FromResult<ISigstoreTree>(new FileSystemSigstoreTree(_temp.Path));

    protected override ISigstoreTree OpenReplica() => new FileSystemSigstoreTree(_temp.Path);

    protected override ValueTask DisposeTreeAsync()
    {
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Writes_AreModes0644_SignatureDirectories2775_KeysKeepTheUmask()
    {
        var digest = Digest.Compute("m"u8);
        await new SignatureStore(Tree).AppendAsync(RepositoryName.Parse("a/b"), digest, new byte[] { 1 }, default);
        await Tree.WriteAsync("keys/imagemaker.pgp", "k"u8.ToArray(), default);

        Assert.Equal("644", Mode(_temp.Combine("sigstore", "a", "b@sha256=" + digest.Hex, "signature-1")));
        Assert.Equal("644", Mode(_temp.Combine("keys", "imagemaker.pgp")));
        Assert.Equal("2775", Mode(_temp.Combine("sigstore")));
        Assert.Equal("2775", Mode(_temp.Combine("sigstore", "a")));
        Assert.Equal("2775", Mode(_temp.Combine("sigstore", "a", "b@sha256=" + digest.Hex)));
        Assert.Equal(0, (int)File.GetUnixFileMode(_temp.Combine("keys")) & (int)UnixFileMode.SetGroup);
    }

    [Fact]
    public async Task CreateIfAbsent_Racing_LeavesNoTempFiles_AndNeverReplacesADirectory()
    {
        var won = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() => Tree.CreateIfAbsentAsync("sigstore/x@sha256=1/signature-1", new[] { (byte)i }, default))));
        Directory.CreateDirectory(_temp.Combine("keys", "dir"));

        Assert.Single(won, w => w);
        Assert.False(await Tree.CreateIfAbsentAsync("keys/dir", "x"u8.ToArray(), default));
        Assert.Equal(["signature-1"], Directory.GetFileSystemEntries(_temp.Combine("sigstore", "x@sha256=1")).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Combine("keys"), ".u7s-tmp-*"));
    }

    [Fact]
    public void FullPath_IsUnderTheRoot() =>
        Assert.Equal(_temp.Combine("keys", "policy.json"), new FileSystemSigstoreTree(_temp.Path + "/").FullPath("keys/policy.json"));

    private static string Mode(string path) => Convert.ToString((int)File.GetUnixFileMode(path), 8);
}
