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

    [Fact]
    public async Task Writes_ThroughASymlinkedDirectory_AreRefused_AndTouchNothingOutside()
    {
        using var outside = new TempDirectory("u7s-outside");
        File.WriteAllText(outside.Combine("policy.json"), "theirs");
        Directory.CreateDirectory(_temp.Combine("sigstore"));
        Directory.CreateSymbolicLink(_temp.Combine("keys"), outside.Path);
        Directory.CreateSymbolicLink(_temp.Combine("sigstore", "ns"), outside.Path);

        await Assert.ThrowsAsync<U7s.Native.UnsafePathException>(() => Tree.WriteAsync("keys/policy.json", "{}"u8.ToArray(), default));
        await Assert.ThrowsAsync<U7s.Native.UnsafePathException>(() => Tree.CreateIfAbsentAsync("sigstore/ns/app@sha256=1/signature-1", "s"u8.ToArray(), default));
        await Tree.DeleteAsync("keys/policy.json", default);

        Assert.Equal([outside.Combine("policy.json")], Directory.GetFileSystemEntries(outside.Path, "*", SearchOption.AllDirectories));
        Assert.Equal("theirs", File.ReadAllText(outside.Combine("policy.json")));
    }

    [Fact]
    public async Task CreateIfAbsent_WhileADirectoryIsSwappedForASymlink_NeverWritesOutside()
    {
        using var outside = new TempDirectory("u7s-outside");
        var swapped = _temp.Combine("sigstore", "ns");
        Directory.CreateDirectory(swapped);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));

        // A group member moving the directory away and planting a symlink in its place, over and over.
        var swapper = Task.Run(() =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                Try(() => Directory.Move(swapped, _temp.Combine("sigstore", $"moved-{n}")));
                Try(() => Directory.CreateSymbolicLink(swapped, outside.Path));
                Thread.Yield();
                Try(() => File.Delete(swapped));
            }
        });
        var writes = 0;
        // At least 400 attempts, and on until one landed: a schedule can make the first hundreds all lose the race,
        // and a run without a single write would prove nothing.
        for (var i = 0; (i < 400 || writes == 0) && !stop.IsCancellationRequested; i++)
        {
            try
            {
                await Tree.CreateIfAbsentAsync($"sigstore/ns/app@sha256={i}/signature-1", "s"u8.ToArray(), default);
                writes++;
            }
            catch (IOException)
            {
                // Refused (a symlink) or raced (renamed away mid-walk): either way nothing may land outside.
            }
        }

        await stop.CancelAsync();
        await swapper;

        Assert.Empty(Directory.GetFileSystemEntries(outside.Path));
        Assert.NotEqual(0, writes);
    }

    private static void Try(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static string Mode(string path) => Convert.ToString((int)File.GetUnixFileMode(path), 8);
}
