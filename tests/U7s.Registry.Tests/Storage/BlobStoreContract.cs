using System.Security.Cryptography;
using U7s.Oci;
using U7s.Registry.Storage;
using U7s.Testing;

namespace U7s.Registry.Tests.Storage;

/// <summary>
/// The contract every <see cref="IBlobStore"/> backend must pass. A backend's test class inherits this
/// and supplies the store; <see cref="Reopen"/> gives a second instance over the same data (a restart).
/// </summary>
public abstract class BlobStoreContract
{
    private static readonly RepositoryName Repo = RepositoryName.Parse("contract/repo");

    protected ManualTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected abstract IBlobStore Store { get; }

    protected abstract IBlobStore Reopen();

    [ContractFact]
    public async Task Put_ThenOpen_ReturnsSameBytes()
    {
        var content = RandomNumberGenerator.GetBytes(1000);
        var digest = Digest.Compute(content);
        Assert.Equal(BlobCommitStatus.Created, await Store.PutAsync(digest, content, default));
        Assert.Equal(content.Length, await Store.GetSizeOrNullAsync(digest, default));
        Assert.Equal(content, await ReadAllAsync(Store, digest));
    }

    [ContractFact]
    public async Task Changes_BlobCommitted_RaisedOncePerNewBlob_AfterItIsReadable()
    {
        var feed = new StoreChangeFeed();
        var store = new ObservedBlobStore(Store, feed);
        using var recorder = new StoreChangeRecorder(feed, async change => await Store.GetSizeOrNullAsync(change.Digest!.Value, default) is not null);

        var manifest = RandomNumberGenerator.GetBytes(100);
        var manifestDigest = Digest.Compute(manifest);
        await store.PutAsync(manifestDigest, manifest, default);
        recorder.AssertOnly(new StoreChange(StoreChangeKind.BlobCommitted, null, manifestDigest));
        await store.PutAsync(manifestDigest, manifest, default);
        recorder.AssertNone();

        var layer = RandomNumberGenerator.GetBytes(5000);
        var layerDigest = Digest.Compute(layer);
        var upload = await store.StartUploadAsync(Repo, default);
        await upload.AppendAsync(new MemoryStream(layer), UploadChunk.Unbounded, default);
        recorder.AssertNone();

        // Resumed by id, as the finishing request of a chunked upload does.
        var resumed = await store.GetUploadOrNullAsync(upload.Id, default);
        Assert.Equal(BlobCommitStatus.Created, await resumed!.CommitAsync(layerDigest, default));
        recorder.AssertOnly(new StoreChange(StoreChangeKind.BlobCommitted, null, layerDigest));

        var again = await store.StartUploadAsync(Repo, default);
        await again.AppendAsync(new MemoryStream(layer), UploadChunk.Unbounded, default);
        Assert.Equal(BlobCommitStatus.AlreadyExists, await again.CommitAsync(layerDigest, default));
        await Assert.ThrowsAsync<OciException>(() => store.PutAsync(Digest.Compute("not the manifest"u8), manifest, default));
        recorder.AssertNone();
    }

    [ContractFact]
    public async Task Put_SameContentTwice_IsAlreadyExists()
    {
        var content = RandomNumberGenerator.GetBytes(10);
        var digest = Digest.Compute(content);
        await Store.PutAsync(digest, content, default);
        Assert.Equal(BlobCommitStatus.AlreadyExists, await Store.PutAsync(digest, content, default));
    }

    [ContractFact]
    public async Task Put_WrongDigest_FailsAndStoresNothing()
    {
        var digest = Digest.Compute("other"u8);
        var e = await Assert.ThrowsAsync<OciException>(() => Store.PutAsync(digest, "content"u8.ToArray(), default));
        Assert.Equal(OciErrorCode.DigestInvalid, e.Code);
        Assert.Null(await Store.GetSizeOrNullAsync(digest, default));
    }

    [ContractFact]
    public async Task Upload_Chunks_CommitPublishes()
    {
        var content = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        var digest = Digest.Compute(content);
        var upload = await Store.StartUploadAsync(Repo, default);
        Assert.Equal(Repo, upload.Repository);
        await upload.AppendAsync(new MemoryStream(content, 0, 1024 * 1024), UploadChunk.Unbounded, default);
        Assert.Equal(1024 * 1024, upload.Length);
        await upload.AppendAsync(new MemoryStream(content, 1024 * 1024, content.Length - 1024 * 1024), UploadChunk.Unbounded, default);
        Assert.Null(await Store.GetSizeOrNullAsync(digest, default));
        Assert.Equal(BlobCommitStatus.Created, await upload.CommitAsync(digest, default));
        Assert.Equal(content, await ReadAllAsync(Store, digest));
        Assert.Null(await Store.GetUploadOrNullAsync(upload.Id, default));
    }

    [ContractFact]
    public async Task Upload_Empty_CommitsEmptyBlob()
    {
        var digest = Digest.Compute([]);
        var upload = await Store.StartUploadAsync(Repo, default);
        await upload.AppendAsync(new MemoryStream(), UploadChunk.Unbounded, default);
        Assert.Equal(BlobCommitStatus.Created, await upload.CommitAsync(digest, default));
        Assert.Equal(0, await Store.GetSizeOrNullAsync(digest, default));
        Assert.Empty(await ReadAllAsync(Store, digest));
    }

    [ContractFact]
    public async Task Upload_WrongDigest_FailsAndKeepsUpload()
    {
        var content = RandomNumberGenerator.GetBytes(5000);
        var upload = await Store.StartUploadAsync(Repo, default);
        await upload.AppendAsync(new MemoryStream(content), UploadChunk.Unbounded, default);
        var wrong = Digest.Compute("wrong"u8);
        var e = await Assert.ThrowsAsync<OciException>(() => upload.CommitAsync(wrong, default));
        Assert.Equal(OciErrorCode.DigestInvalid, e.Code);
        Assert.Null(await Store.GetSizeOrNullAsync(wrong, default));
        var again = await Store.GetUploadOrNullAsync(upload.Id, default);
        Assert.NotNull(again);
        Assert.Equal(content.Length, again.Length);
        await again.CommitAsync(Digest.Compute(content), default);
        Assert.Equal(content, await ReadAllAsync(Store, Digest.Compute(content)));
    }

    [ContractFact]
    public async Task Upload_SourceFailsMidChunk_LengthRollsBack()
    {
        var first = RandomNumberGenerator.GetBytes(4096);
        var upload = await Store.StartUploadAsync(Repo, default);
        await upload.AppendAsync(new MemoryStream(first), UploadChunk.Unbounded, default);
        var dropped = RandomNumberGenerator.GetBytes(2000);
        await Assert.ThrowsAsync<IOException>(() => upload.AppendAsync(new RequestBodyStream(dropped, 0, dropped.Length, failAtEnd: true), UploadChunk.Unbounded, default));
        Assert.Equal(first.Length, upload.Length);
        var second = RandomNumberGenerator.GetBytes(100);
        await upload.AppendAsync(new MemoryStream(second), UploadChunk.Unbounded, default);
        var whole = first.Concat(second).ToArray();
        await upload.CommitAsync(Digest.Compute(whole), default);
        Assert.Equal(whole, await ReadAllAsync(Store, Digest.Compute(whole)));
    }

    [ContractFact]
    public async Task Upload_PastMaxLength_FailsWithSizeInvalid()
    {
        var upload = await Store.StartUploadAsync(Repo, default);
        var e = await Assert.ThrowsAsync<OciException>(() => upload.AppendAsync(new MemoryStream(new byte[2 * 1024 * 1024]), new UploadChunk(MaxTotal: 1024 * 1024), default));
        Assert.Equal(OciErrorCode.SizeInvalid, e.Code);
        Assert.Equal(0, upload.Length);
    }

    [ContractFact]
    public async Task Append_NotAtTheUploadsLength_IsRangeInvalid_UploadUnchanged()
    {
        var first = RandomNumberGenerator.GetBytes(3000);
        var upload = await Store.StartUploadAsync(Repo, default);
        await upload.AppendAsync(new MemoryStream(first), new UploadChunk(Start: 0), default);
        foreach (var start in new long[] { 0, 2999, 3001 })
        {
            var e = await Assert.ThrowsAsync<OciException>(() => upload.AppendAsync(new MemoryStream(new byte[10]), new UploadChunk(Start: start), default));
            Assert.Equal(OciErrorCode.RangeInvalid, e.Code);
        }

        await AssertUploadHoldsAsync(upload.Id, first);
    }

    [ContractTheory]
    [InlineData(5000)]
    [InlineData(999)]
    [InlineData(0)]
    public async Task Append_SourceLengthOtherThanDeclared_IsSizeInvalid_UploadUnchanged(int sent)
    {
        var first = RandomNumberGenerator.GetBytes(3000);
        var upload = await Store.StartUploadAsync(Repo, default);
        await upload.AppendAsync(new MemoryStream(first), UploadChunk.Unbounded, default);
        var again = await Store.GetUploadOrNullAsync(upload.Id, default);
        Assert.NotNull(again);
        var e = await Assert.ThrowsAsync<OciException>(() => again.AppendAsync(new MemoryStream(RandomNumberGenerator.GetBytes(sent)), new UploadChunk(Start: 3000, Length: 1000), default));
        Assert.Equal(OciErrorCode.SizeInvalid, e.Code);
        await AssertUploadHoldsAsync(upload.Id, first);
    }

    [ContractFact]
    public async Task Append_ConcurrentForTheSameStart_OneWins_TheOthersAreRangeInvalid()
    {
        var chunk = RandomNumberGenerator.GetBytes(20_000);
        var upload = await Store.StartUploadAsync(Repo, default);

        // Each appender holds the upload as a request would: looked up on its own.
        var appenders = new List<IBlobUpload>();
        for (var i = 0; i < 6; i++)
        {
            appenders.Add(await Store.GetUploadOrNullAsync(upload.Id, default) ?? throw new InvalidOperationException("upload lost"));
        }

        var outcomes = await Task.WhenAll(appenders.Select(a => Task.Run(async () =>
        {
            try
            {
                await a.AppendAsync(new MemoryStream(chunk), new UploadChunk(Start: 0, Length: chunk.Length), default);
                return (OciErrorCode?)null;
            }
            catch (OciException e)
            {
                return e.Code;
            }
        })));

        Assert.Equal(1, outcomes.Count(o => o is null));
        Assert.All(outcomes.Where(o => o is not null), o => Assert.Equal(OciErrorCode.RangeInvalid, o));
        await AssertUploadHoldsAsync(upload.Id, chunk);
    }

    [ContractFact]
    public async Task Upload_SurvivesRestart()
    {
        var content = RandomNumberGenerator.GetBytes(70_000);
        var upload = await Store.StartUploadAsync(Repo, default);
        await upload.AppendAsync(new MemoryStream(content, 0, 30_000), UploadChunk.Unbounded, default);

        var restarted = Reopen();
        var resumed = await restarted.GetUploadOrNullAsync(upload.Id, default);
        Assert.NotNull(resumed);
        Assert.Equal(Repo, resumed.Repository);
        Assert.Equal(30_000, resumed.Length);
        await resumed.AppendAsync(new MemoryStream(content, 30_000, 40_000), UploadChunk.Unbounded, default);
        await resumed.CommitAsync(Digest.Compute(content), default);
        Assert.Equal(content, await ReadAllAsync(restarted, Digest.Compute(content)));
    }

    [ContractFact]
    public async Task Upload_Sha512Digest_IsVerified()
    {
        var content = RandomNumberGenerator.GetBytes(1234);
        var digest = Digest.FromHash("sha512", SHA512.HashData(content));
        var upload = await Store.StartUploadAsync(Repo, default);
        await upload.AppendAsync(new MemoryStream(content), UploadChunk.Unbounded, default);
        await upload.CommitAsync(digest, default);
        Assert.Equal(content.Length, await Store.GetSizeOrNullAsync(digest, default));
    }

    [ContractFact]
    public async Task Upload_SameContentAsStoredBlob_IsAlreadyExists()
    {
        var content = RandomNumberGenerator.GetBytes(64);
        await Store.PutAsync(Digest.Compute(content), content, default);
        var upload = await Store.StartUploadAsync(Repo, default);
        await upload.AppendAsync(new MemoryStream(content), UploadChunk.Unbounded, default);
        Assert.Equal(BlobCommitStatus.AlreadyExists, await upload.CommitAsync(Digest.Compute(content), default));
    }

    [ContractTheory]
    [InlineData("")]
    [InlineData("../../etc")]
    [InlineData("00000000000000000000000000000000")]
    [InlineData("ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ")]
    public async Task GetUpload_UnknownOrMalformedId_IsNull(string id)
    {
        Assert.Null(await Store.GetUploadOrNullAsync(id, default));
    }

    [ContractFact]
    public async Task Upload_Cancel_ForgetsIt()
    {
        var upload = await Store.StartUploadAsync(Repo, default);
        await upload.AppendAsync(new MemoryStream(new byte[10]), UploadChunk.Unbounded, default);
        await upload.CancelAsync(default);
        Assert.Null(await Store.GetUploadOrNullAsync(upload.Id, default));
    }

    [ContractFact]
    public async Task PurgeUploads_RemovesOnlyIdleOnes()
    {
        var idle = await Store.StartUploadAsync(Repo, default);
        Clock.Now += TimeSpan.FromHours(2);
        Assert.Equal(1, await Store.PurgeUploadsAsync(TimeSpan.FromHours(1), default));
        Assert.Null(await Store.GetUploadOrNullAsync(idle.Id, default));
        var fresh = await Store.StartUploadAsync(Repo, default);
        Assert.Equal(0, await Store.PurgeUploadsAsync(TimeSpan.FromHours(1), default));
        Assert.NotNull(await Store.GetUploadOrNullAsync(fresh.Id, default));
    }

    [ContractFact]
    public async Task Touch_MovesLastUsedToTheClock()
    {
        var content = RandomNumberGenerator.GetBytes(10);
        var digest = Digest.Compute(content);
        Assert.Null(await Store.GetLastUsedOrNullAsync(digest, default));
        await Store.PutAsync(digest, content, default);
        var written = await Store.GetLastUsedOrNullAsync(digest, default);
        Assert.NotNull(written);
        Assert.InRange(written.Value, Clock.Now - TimeSpan.FromSeconds(1), Clock.Now + TimeSpan.FromSeconds(1));

        Clock.Now += TimeSpan.FromDays(3);
        await Store.TouchAsync(digest, default);
        var touched = await Store.GetLastUsedOrNullAsync(digest, default);
        Assert.NotNull(touched);
        Assert.InRange(touched.Value, Clock.Now - TimeSpan.FromSeconds(1), Clock.Now + TimeSpan.FromSeconds(1));
    }

    [ContractFact]
    public async Task List_HoldsOnlyDigests()
    {
        var content = RandomNumberGenerator.GetBytes(10);
        var digest = Digest.Compute(content);
        await Store.PutAsync(digest, content, default);
        await Store.TouchAsync(digest, default);
        var upload = await Store.StartUploadAsync(Repo, default);
        await upload.AppendAsync(new MemoryStream(content, 0, 5), UploadChunk.Unbounded, default);
        Assert.Equal([digest], await Store.ListAsync(default).ToListAsync());
    }

    [ContractFact]
    public async Task Open_SeekBeforeReading_ReadsFromThere()
    {
        var content = RandomNumberGenerator.GetBytes(100_000);
        var digest = Digest.Compute(content);
        await Store.PutAsync(digest, content, default);
        await using var blob = await Store.OpenReadOrNullAsync(digest, default);
        Assert.NotNull(blob);
        Assert.True(blob.Stream.CanSeek);
        blob.Stream.Seek(70_000, SeekOrigin.Begin);
        var rest = new byte[30_000];
        await blob.Stream.ReadExactlyAsync(rest);
        Assert.Equal(content[70_000..], rest);
    }

    [ContractFact]
    public async Task Delete_RemovesContent()
    {
        var content = RandomNumberGenerator.GetBytes(10);
        var digest = Digest.Compute(content);
        await Store.PutAsync(digest, content, default);
        Assert.Contains(digest, await Store.ListAsync(default).ToListAsync());
        Assert.True(await Store.DeleteAsync(digest, default));
        Assert.False(await Store.DeleteAsync(digest, default));
        Assert.Null(await Store.OpenReadOrNullAsync(digest, default));
        Assert.DoesNotContain(digest, await Store.ListAsync(default).ToListAsync());
    }

    /// <summary>The upload holds exactly <paramref name="expected"/>: its length, and a commit under their digest.</summary>
    private async Task AssertUploadHoldsAsync(string id, byte[] expected)
    {
        var upload = await Store.GetUploadOrNullAsync(id, default);
        Assert.NotNull(upload);
        Assert.Equal(expected.Length, upload.Length);
        await upload.CommitAsync(Digest.Compute(expected), default);
        Assert.Equal(expected, await ReadAllAsync(Store, Digest.Compute(expected)));
    }

    private static async Task<byte[]> ReadAllAsync(IBlobStore store, Digest digest)
    {
        await using var content = await store.OpenReadOrNullAsync(digest, default);
        Assert.NotNull(content);
        using var buffer = new MemoryStream();
        await content.Stream.CopyToAsync(buffer);
        Assert.Equal(content.Length, buffer.Length);
        return buffer.ToArray();
    }
}
