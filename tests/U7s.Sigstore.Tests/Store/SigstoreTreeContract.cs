using System.Security.Cryptography;
using U7s.Sigstore.Store;

namespace U7s.Sigstore.Tests.Store;

/// <summary>
/// The contract every <see cref="ISigstoreTree"/> backend must pass, with the signature store, signer
/// scopes, key publishing and the :81 server running over it. A backend's test class supplies a fresh tree
/// and <see cref="OpenReplica"/>, a second instance over the same data with its own client (another replica).
/// </summary>
public abstract partial class SigstoreTreeContract : IAsyncLifetime
{
    protected ISigstoreTree Tree { get; private set; } = null!;

    public async Task InitializeAsync() => Tree = await CreateTreeAsync();

    public async Task DisposeAsync() => await DisposeTreeAsync();

    /// <summary>A new, empty tree of the backend.</summary>
    protected abstract Task<ISigstoreTree> CreateTreeAsync();

    /// <summary>Another instance over the same data as <see cref="Tree"/>, as a second replica would open it.</summary>
    protected abstract ISigstoreTree OpenReplica();

    protected abstract ValueTask DisposeTreeAsync();

    [ContractFact]
    public async Task Absent_IsNullEverywhere_RootAlwaysExists()
    {
        Assert.Null(await Tree.OpenFileOrNullAsync("keys/absent.pgp", default));
        Assert.Null(await Tree.ReadAllOrNullAsync("keys/absent.pgp", 100, default));
        Assert.False(await Tree.DirectoryExistsAsync("keys", default));
        Assert.Null(await Tree.ListDirectoryOrNullAsync("keys", default));
        Assert.True(await Tree.DirectoryExistsAsync(string.Empty, default));
        Assert.NotNull(await Tree.ListDirectoryOrNullAsync(string.Empty, default));
        Assert.Null(await Tree.OpenFileOrNullAsync(string.Empty, default));
    }

    [ContractFact]
    public async Task Write_ThenOpen_ReturnsBytesLengthAndTime()
    {
        var content = RandomNumberGenerator.GetBytes(3000);

        await Tree.WriteAsync("keys/imagemaker.pgp", content, default);

        await using var file = await Tree.OpenFileOrNullAsync("keys/imagemaker.pgp", default);
        Assert.NotNull(file);
        Assert.Equal(3000, file.Length);
        Assert.InRange(file.LastModified, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.Equal(content, await ReadToEndAsync(file, chunk: 1000));
        Assert.Equal(content, await Tree.ReadAllOrNullAsync("keys/imagemaker.pgp", 3000, default));
    }

    [ContractFact]
    public async Task Write_ReplacesTheFile()
    {
        await Tree.WriteAsync("keys/policy.json", "{\"old\":1}"u8.ToArray(), default);

        await Tree.WriteAsync("keys/policy.json", "{}"u8.ToArray(), default);

        Assert.Equal("{}"u8.ToArray(), await Tree.ReadAllOrNullAsync("keys/policy.json", 100, default));
    }

    [ContractFact]
    public async Task CreateIfAbsent_TakenPath_IsFalseAndKeepsTheFile()
    {
        Assert.True(await Tree.CreateIfAbsentAsync("sigstore/a@sha256=1/signature-1", "first"u8.ToArray(), default));

        Assert.False(await Tree.CreateIfAbsentAsync("sigstore/a@sha256=1/signature-1", "second"u8.ToArray(), default));
        Assert.False(await OpenReplica().CreateIfAbsentAsync("sigstore/a@sha256=1/signature-1", "third"u8.ToArray(), default));
        Assert.Equal("first"u8.ToArray(), await Tree.ReadAllOrNullAsync("sigstore/a@sha256=1/signature-1", 100, default));
    }

    [ContractFact]
    public async Task CreateIfAbsent_RacingWritersOnTwoReplicas_ExactlyOneWins()
    {
        var trees = new[] { Tree, OpenReplica() };
        var contents = Enumerable.Range(0, 16).Select(i => new[] { (byte)i }).ToList();

        var won = await Task.WhenAll(contents.Select((c, i) => Task.Run(() => trees[i % 2].CreateIfAbsentAsync("sigstore/race@sha256=1/signature-1", c, default))));

        var winner = Assert.Single(Enumerable.Range(0, 16), i => won[i]);
        Assert.Equal(contents[winner], await Tree.ReadAllOrNullAsync("sigstore/race@sha256=1/signature-1", 100, default));
    }

    [ContractFact]
    public async Task Directories_AreImpliedByTheirFiles()
    {
        await Tree.WriteAsync("keys/old/retired.pgp", "r"u8.ToArray(), default);
        await Tree.WriteAsync("keys/imagemaker.pgp", "key"u8.ToArray(), default);

        Assert.True(await Tree.DirectoryExistsAsync("keys", default));
        Assert.True(await OpenReplica().DirectoryExistsAsync("keys/old", default));
        Assert.False(await Tree.DirectoryExistsAsync("keys/imagemaker.pgp", default));
        Assert.False(await Tree.DirectoryExistsAsync("keys/ol", default));
        Assert.Null(await Tree.OpenFileOrNullAsync("keys", default));
        Assert.Null(await Tree.OpenFileOrNullAsync("keys/old", default));
        Assert.Null(await Tree.ListDirectoryOrNullAsync("keys/imagemaker.pgp", default));
        var root = await Tree.ListDirectoryOrNullAsync(string.Empty, default);
        Assert.Contains(root!, e => e is { Name: "keys", IsDirectory: true, Length: null });
    }

    [ContractFact]
    public async Task ListDirectory_GivesNamesKindsSizesAndTimes_DotFilesIncluded()
    {
        await Tree.WriteAsync("keys/old/retired.pgp", "r"u8.ToArray(), default);
        await Tree.WriteAsync("keys/imagemaker.pgp", "key"u8.ToArray(), default);
        await Tree.WriteAsync("keys/.hidden", "x"u8.ToArray(), default);

        var entries = (await OpenReplica().ListDirectoryOrNullAsync("keys", default))!.OrderBy(e => e.Name, StringComparer.Ordinal).ToList();

        Assert.Equal([".hidden", "imagemaker.pgp", "old"], entries.Select(e => e.Name));
        Assert.Equal([false, false, true], entries.Select(e => e.IsDirectory));
        Assert.Equal([1L, 3L, null], entries.Select(e => e.Length));
        Assert.All(entries, e => Assert.InRange(e.LastModified, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5)));
    }

    [ContractFact]
    public async Task Delete_RemovesTheFile_MissingIsNoError()
    {
        await Tree.WriteAsync("keys/gone.pgp", "k"u8.ToArray(), default);

        await OpenReplica().DeleteAsync("keys/gone.pgp", default);
        await Tree.DeleteAsync("keys/gone.pgp", default);
        await Tree.DeleteAsync("never/was/here", default);

        Assert.Null(await Tree.OpenFileOrNullAsync("keys/gone.pgp", default));
    }

    [ContractFact]
    public async Task ReadAll_LargerThanTheLimit_Throws()
    {
        await Tree.WriteAsync("keys/big.pgp", new byte[101], default);

        await Assert.ThrowsAsync<InvalidDataException>(() => Tree.ReadAllOrNullAsync("keys/big.pgp", 100, default));
    }

    [ContractFact]
    public async Task PathsThatCouldLeaveTheTree_AreRefused()
    {
        foreach (var path in new[] { "../escape", "/etc/passwd", "keys//x", "keys/", "keys/./x", "keys/../../x", "a\\b" })
        {
            await Assert.ThrowsAsync<ArgumentException>(async () => await Tree.OpenFileOrNullAsync(path, default));
            await Assert.ThrowsAsync<ArgumentException>(() => Tree.WriteAsync(path, "x"u8.ToArray(), default));
            await Assert.ThrowsAsync<ArgumentException>(() => Tree.CreateIfAbsentAsync(path, "x"u8.ToArray(), default));
        }

        await Assert.ThrowsAsync<ArgumentException>(() => Tree.WriteAsync(string.Empty, "x"u8.ToArray(), default));
    }

    private static async Task<byte[]> ReadToEndAsync(SigstoreTreeFile file, int chunk)
    {
        using var buffer = new MemoryStream();
        var memory = new byte[chunk];
        int read;
        while ((read = await file.ReadAsync(memory, default)) > 0)
        {
            buffer.Write(memory, 0, read);
        }

        return buffer.ToArray();
    }
}
