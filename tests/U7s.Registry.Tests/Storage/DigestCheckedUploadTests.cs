using System.Security.Cryptography;
using U7s.Oci;
using U7s.Registry.Storage;
using U7s.Testing;

namespace U7s.Registry.Tests.Storage;

/// <summary>
/// The filesystem store takes a whole upload read from a <see cref="DigestCheckedStream"/> on that stream's own
/// check instead of hashing it again. These tests hold what that may never loosen: bad bytes never become
/// visible, the check stands only for the digest it checked and only for exactly the bytes it read.
/// </summary>
public sealed class DigestCheckedUploadTests : IDisposable
{
    private static readonly RepositoryName Repository = RepositoryName.Parse("checked/app");

    private readonly TempDirectory _root = new();
    private readonly FileSystemBlobStore _store;

    public DigestCheckedUploadTests()
    {
        _store = new FileSystemBlobStore(new StoragePaths(_root.Path), TimeProvider.System);
    }

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task WholeUploadFromCheckedStream_CommitsAndServesTheBytes()
    {
        var content = RandomNumberGenerator.GetBytes(700_000);
        var digest = Digest.Compute(content);
        var upload = await _store.StartUploadAsync(Repository, default);
        await using var source = new DigestCheckedStream(new MemoryStream(content), digest, content.Length);

        await upload.AppendAsync(source, new UploadChunk(null, content.Length), default);

        Assert.True(source.IsVerified);
        Assert.Equal(BlobCommitStatus.Created, await upload.CommitAsync(digest, default));
        Assert.Equal(content, await ReadBlobAsync(digest));
    }

    [Fact]
    public async Task CheckedStreamWithBadContent_AppendFails_UploadUnchangedAndNothingVisible()
    {
        var content = RandomNumberGenerator.GetBytes(300_000);
        var digest = Digest.Compute(content);
        var tampered = (byte[])content.Clone();
        tampered[^1] ^= 1;
        var upload = await _store.StartUploadAsync(Repository, default);

        await Assert.ThrowsAsync<InvalidDataException>(() =>
            upload.AppendAsync(new DigestCheckedStream(new MemoryStream(tampered), digest, content.Length), UploadChunk.Unbounded, default));

        Assert.Equal(0, upload.Length);
        var e = await Assert.ThrowsAsync<OciException>(() => upload.CommitAsync(digest, default));
        Assert.Equal(OciErrorCode.DigestInvalid, e.Code);
        AssertNoBlobs();
    }

    [Fact]
    public async Task CheckedStream_CommitUnderAnotherDigest_Refused()
    {
        // The stream checked its own digest; the commit names another one: the check does not stand for it.
        var content = RandomNumberGenerator.GetBytes(50_000);
        var claimed = Digest.Compute(RandomNumberGenerator.GetBytes(10));
        var upload = await _store.StartUploadAsync(Repository, default);
        await upload.AppendAsync(new DigestCheckedStream(new MemoryStream(content), Digest.Compute(content), content.Length), UploadChunk.Unbounded, default);

        var e = await Assert.ThrowsAsync<OciException>(() => upload.CommitAsync(claimed, default));

        Assert.Equal(OciErrorCode.DigestInvalid, e.Code);
        AssertNoBlobs();
    }

    [Fact]
    public async Task CheckedStreamAfterAPlainChunk_TheWholeUploadIsHashed()
    {
        // A checked stream that covers only the tail proves nothing about the bytes before it.
        var head = RandomNumberGenerator.GetBytes(40_000);
        var tail = RandomNumberGenerator.GetBytes(60_000);
        var upload = await _store.StartUploadAsync(Repository, default);
        await upload.AppendAsync(new MemoryStream(head), UploadChunk.Unbounded, default);
        await upload.AppendAsync(new DigestCheckedStream(new MemoryStream(tail), Digest.Compute(tail), tail.Length), UploadChunk.Unbounded, default);

        var e = await Assert.ThrowsAsync<OciException>(() => upload.CommitAsync(Digest.Compute(tail), default));
        Assert.Equal(OciErrorCode.DigestInvalid, e.Code);
        AssertNoBlobs();

        byte[] whole = [.. head, .. tail];
        Assert.Equal(BlobCommitStatus.Created, await upload.CommitAsync(Digest.Compute(whole), default));
        Assert.Equal(whole, await ReadBlobAsync(Digest.Compute(whole)));
    }

    [Fact]
    public async Task PlainChunkAfterACheckedStream_TheCheckNoLongerStands()
    {
        var checkedPart = RandomNumberGenerator.GetBytes(40_000);
        var extra = RandomNumberGenerator.GetBytes(1_000);
        var upload = await _store.StartUploadAsync(Repository, default);
        await upload.AppendAsync(new DigestCheckedStream(new MemoryStream(checkedPart), Digest.Compute(checkedPart), checkedPart.Length), UploadChunk.Unbounded, default);
        await upload.AppendAsync(new MemoryStream(extra), UploadChunk.Unbounded, default);

        var e = await Assert.ThrowsAsync<OciException>(() => upload.CommitAsync(Digest.Compute(checkedPart), default));
        Assert.Equal(OciErrorCode.DigestInvalid, e.Code);
        AssertNoBlobs();

        var whole = Digest.Compute([.. checkedPart, .. extra]);
        Assert.Equal(BlobCommitStatus.Created, await upload.CommitAsync(whole, default));
    }

    [Fact]
    public async Task CheckedStreamPartlyReadBeforeTheUpload_TheStoreHashesWhatItGot()
    {
        // The stream verifies all its bytes, but the store received only those after the first 100.
        var content = RandomNumberGenerator.GetBytes(30_000);
        var digest = Digest.Compute(content);
        var upload = await _store.StartUploadAsync(Repository, default);
        await using var source = new DigestCheckedStream(new MemoryStream(content), digest, content.Length);
        await source.ReadExactlyAsync(new byte[100]);

        await upload.AppendAsync(source, UploadChunk.Unbounded, default);

        Assert.True(source.IsVerified);
        var e = await Assert.ThrowsAsync<OciException>(() => upload.CommitAsync(digest, default));
        Assert.Equal(OciErrorCode.DigestInvalid, e.Code);
        AssertNoBlobs();
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public async Task CheckedStream_WrongLength_ThrowsBeforeACleanEnd(int delta)
    {
        var content = RandomNumberGenerator.GetBytes(10_000);
        await using var stream = new DigestCheckedStream(new MemoryStream(content), Digest.Compute(content), content.Length + delta);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => stream.CopyToAsync(Stream.Null));

        Assert.Contains(delta < 0 ? "more than the expected 9999 bytes" : "10000 bytes, expected 10001", e.Message, StringComparison.Ordinal);
        Assert.False(stream.IsVerified);
    }

    [Fact]
    public async Task CheckedStream_LastByteWrong_ThatReadThrowsInsteadOfReturningIt()
    {
        var content = RandomNumberGenerator.GetBytes(1_000);
        var tampered = (byte[])content.Clone();
        tampered[^1] ^= 1;
        await using var stream = new DigestCheckedStream(new MemoryStream(tampered), Digest.Compute(content), content.Length);
        var buffer = new byte[600];
        Assert.Equal(600, await stream.ReadAsync(buffer));

        var e = await Assert.ThrowsAsync<InvalidDataException>(async () => await stream.ReadExactlyAsync(buffer.AsMemory(0, 400)));

        Assert.Contains($"content has digest {Digest.Compute(tampered)}, not {Digest.Compute(content)}", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidDataException>(async () => await stream.ReadExactlyAsync(buffer.AsMemory(0, 1)));
    }

    [Fact]
    public async Task Peek_ReturnsTheFirstBytes_AndTheReadsReturnThemAgainThenTheRest()
    {
        var content = RandomNumberGenerator.GetBytes(20_000);
        await using var stream = new DigestCheckedStream(new NonSeekable(content), Digest.Compute(content), content.Length);

        var head = await stream.PeekAsync(4096, default);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        Assert.Equal(content[..4096], head.ToArray());
        Assert.Equal(content, copy.ToArray());
        Assert.True(stream.IsVerified);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await stream.PeekAsync(1, default));
    }

    [Fact]
    public async Task Peek_OfABadBlobShorterThanThePeek_Throws()
    {
        var content = RandomNumberGenerator.GetBytes(100);
        var tampered = (byte[])content.Clone();
        tampered[0] ^= 1;
        await using var stream = new DigestCheckedStream(new MemoryStream(tampered), Digest.Compute(content), content.Length);

        await Assert.ThrowsAsync<InvalidDataException>(async () => await stream.PeekAsync(4096, default));
    }

    private async Task<byte[]> ReadBlobAsync(Digest digest)
    {
        var blob = await _store.OpenReadOrNullAsync(digest, default);
        Assert.NotNull(blob);
        await using var stream = blob.Stream;
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private void AssertNoBlobs() =>
        Assert.Empty(Directory.EnumerateFiles(_store.Paths.Blobs, "*", SearchOption.AllDirectories));

    /// <summary>Returns at most 1000 bytes a read, so the peek needs several reads of the source.</summary>
    private sealed class NonSeekable(byte[] content) : ForwardReadStream
    {
        private int _offset;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, 1000), content.Length - _offset);
            content.AsSpan(_offset, n).CopyTo(buffer.AsSpan(offset));
            _offset += n;
            return n;
        }
    }
}
