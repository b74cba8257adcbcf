using System.Security.Cryptography;
using U7s.Oci;
using U7s.Registry.Storage;
using U7s.S3.Registry;
using U7s.Testing;

namespace U7s.S3.Tests.Registry;

/// <summary>
/// Uploads as stateless replicas behind a round-robin balancer see them: every request may land on another
/// <see cref="S3BlobStore"/> with its own client and memory, sharing only the bucket. Parts are 5 MiB, so
/// ~12 MiB crosses part boundaries inside chunks.
/// </summary>
public sealed class S3BlobUploadTests : IAsyncLifetime
{
    private const int MiB = 1024 * 1024;
    private const int Part = S3StorageOptions.MinPartBytes;
    private static readonly RepositoryName Repo = RepositoryName.Parse("s3/replicas");

    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly List<S3Bucket> _clients = [];
    private S3TestStore _s3 = null!;

    public async Task InitializeAsync() => _s3 = await S3TestStore.CreateAsync(Part);

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Client.Dispose();
        }

        await _s3.DisposeAsync();
    }

    [RequiresS3Fact]
    public async Task Upload_PostPatchPatchPut_OnThreeReplicas_DigestSoFarDecides()
    {
        var (a, b, c) = (Replica(), Replica(), Replica());
        var content = RandomNumberGenerator.GetBytes(12 * MiB + 12_345);
        var id = (await a.StartUploadAsync(Repo, default)).Id;

        // B sees every byte from the first, so it records the digest so far; C then commits on it alone.
        await AppendAsync(b, id, content, 0, 7 * MiB + 3);
        await AppendAsync(b, id, content, 7 * MiB + 3, content.Length - (7 * MiB + 3));
        var state = await StateAsync(c, id);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), state.Sha256);
        Assert.Equal([Part, Part], state.Parts.Select(p => p.Length));
        Assert.Equal(content.Length - (2 * Part), state.TailLength);

        var upload = await c.GetUploadOrNullAsync(id, default);
        Assert.NotNull(upload);
        Assert.Equal(content.Length, upload.Length);
        Assert.Equal(BlobCommitStatus.Created, await upload.CommitAsync(Digest.Compute(content), default));

        Assert.Equal(content, await ReadAllAsync(a, Digest.Compute(content)));
        await AssertSessionGoneAsync(a, id);
    }

    [RequiresS3Fact]
    public async Task Upload_PostPatchPatchPut_OnThreeReplicas_RehashesAssembledBytes()
    {
        var (a, b, c) = (Replica(), Replica(), Replica());
        var content = RandomNumberGenerator.GetBytes(12 * MiB + 777);
        var id = (await a.StartUploadAsync(Repo, default)).Id;

        await AppendAsync(b, id, content, 0, 7 * MiB + 3);
        await AppendAsync(c, id, content, 7 * MiB + 3, content.Length - (7 * MiB + 3));

        // No replica saw every byte: the commit must read them back.
        Assert.Null((await StateAsync(a, id)).Sha256);
        var upload = await a.GetUploadOrNullAsync(id, default);
        Assert.Equal(BlobCommitStatus.Created, await upload!.CommitAsync(Digest.Compute(content), default));

        Assert.Equal(content, await ReadAllAsync(b, Digest.Compute(content)));
        await AssertSessionGoneAsync(a, id);
    }

    [RequiresS3Fact]
    public async Task Commit_WrongDigestAfterRehash_NothingVisible_UploadContinuesOnAnotherReplica()
    {
        var (a, b, c) = (Replica(), Replica(), Replica());
        var content = RandomNumberGenerator.GetBytes(13 * MiB + 5);
        var first = 11 * MiB + 1;
        var id = (await a.StartUploadAsync(Repo, default)).Id;
        await AppendAsync(b, id, content, 0, 6 * MiB);
        await AppendAsync(c, id, content, 6 * MiB, first - (6 * MiB));

        var wrong = Digest.Compute("not it"u8);
        var upload = await a.GetUploadOrNullAsync(id, default);
        var e = await Assert.ThrowsAsync<OciException>(() => upload!.CommitAsync(wrong, default));
        Assert.Equal(OciErrorCode.DigestInvalid, e.Code);
        Assert.Empty(await KeysAsync(S3RegistryKeys.Blobs));

        // As it was: same length, and its bytes (now in one object) carry on through another replica.
        var resumed = await b.GetUploadOrNullAsync(id, default);
        Assert.NotNull(resumed);
        Assert.Equal(first, resumed.Length);
        await AppendAsync(c, id, content, first, content.Length - first);
        upload = await b.GetUploadOrNullAsync(id, default);
        Assert.Equal(BlobCommitStatus.Created, await upload!.CommitAsync(Digest.Compute(content), default));

        Assert.Equal(content, await ReadAllAsync(a, Digest.Compute(content)));
        Assert.Null(await a.GetSizeOrNullAsync(wrong, default));
        await AssertSessionGoneAsync(a, id);
    }

    [RequiresS3Fact]
    public async Task Commit_WrongDigestKnownSoFar_LeavesStateUntouched()
    {
        var (a, b) = (Replica(), Replica());
        var content = RandomNumberGenerator.GetBytes(MiB);
        var upload = await a.StartUploadAsync(Repo, default);
        await upload.AppendAsync(new RequestBodyStream(content, 0, content.Length), UploadChunk.Unbounded, default);
        var before = await a.ReadStateOrNullAsync(upload.Id, default);

        var onB = await b.GetUploadOrNullAsync(upload.Id, default);
        var e = await Assert.ThrowsAsync<OciException>(() => onB!.CommitAsync(Digest.Compute("not it"u8), default));
        Assert.Equal(OciErrorCode.DigestInvalid, e.Code);

        Assert.Equal(before!.Value.ETag, (await a.ReadStateOrNullAsync(upload.Id, default))!.Value.ETag);
        Assert.Empty(await KeysAsync(S3RegistryKeys.Blobs));
        Assert.Equal(BlobCommitStatus.Created, await onB!.CommitAsync(Digest.Compute(content), default));
    }

    [RequiresS3Fact]
    public async Task Append_FailsAfterUploadingAPart_KeepsPreviousLength()
    {
        var (a, b, c) = (Replica(), Replica(), Replica());
        var content = RandomNumberGenerator.GetBytes(13 * MiB);
        var id = (await a.StartUploadAsync(Repo, default)).Id;
        await AppendAsync(a, id, content, 0, 6 * MiB);
        var before = (await a.ReadStateOrNullAsync(id, default))!.Value;

        // Past the next part boundary, so part 2 reaches S3 before the client drops.
        var failing = await b.GetUploadOrNullAsync(id, default);
        var garbage = RandomNumberGenerator.GetBytes(7 * MiB);
        await Assert.ThrowsAsync<IOException>(() => failing!.AppendAsync(new RequestBodyStream(garbage, 0, garbage.Length, failAtEnd: true), UploadChunk.Unbounded, default));
        Assert.Equal(6 * MiB, failing!.Length);
        Assert.Equal(6 * MiB, (await c.GetUploadOrNullAsync(id, default))!.Length);
        Assert.Equal(before.ETag, (await c.ReadStateOrNullAsync(id, default))!.Value.ETag);
        Assert.Equal([S3RegistryKeys.UploadState(id), before.State.TailKey!], await KeysAsync(S3RegistryKeys.Upload(id)));

        // The unrecorded part is uploaded over with the right bytes.
        await AppendAsync(c, id, content, 6 * MiB, 7 * MiB);
        var upload = await a.GetUploadOrNullAsync(id, default);
        await upload!.CommitAsync(Digest.Compute(content), default);
        Assert.Equal(content, await ReadAllAsync(b, Digest.Compute(content)));
    }

    [RequiresS3Fact]
    public async Task Append_RacingOnOneSession_ExactlyOneWins()
    {
        var replicas = new[] { Replica(), Replica(), Replica() };
        var id = (await replicas[0].StartUploadAsync(Repo, default)).Id;
        var uploads = new List<IBlobUpload>();
        foreach (var i in Enumerable.Range(0, 6))
        {
            uploads.Add((await replicas[i % 3].GetUploadOrNullAsync(id, default))!);
        }

        var bodies = uploads.Select(_ => RandomNumberGenerator.GetBytes(1000)).ToList();
        var outcomes = await Task.WhenAll(uploads.Select(async (u, i) =>
        {
            try
            {
                await u.AppendAsync(new RequestBodyStream(bodies[i], 0, 1000), UploadChunk.Unbounded, default);
                return (Index: i, Error: (OciErrorCode?)null);
            }
            catch (OciException e)
            {
                return (Index: i, Error: e.Code);
            }
        }));

        var winner = Assert.Single(outcomes, o => o.Error is null).Index;
        Assert.All(outcomes.Where(o => o.Index != winner), o => Assert.Equal(OciErrorCode.BlobUploadInvalid, o.Error));
        var upload = await replicas[1].GetUploadOrNullAsync(id, default);
        Assert.Equal(1000, upload!.Length);
        await upload.CommitAsync(Digest.Compute(bodies[winner]), default);
        Assert.Equal(bodies[winner], await ReadAllAsync(replicas[2], Digest.Compute(bodies[winner])));
    }

    [RequiresS3Fact]
    public async Task Append_OfARangeAnotherReplicaAppendedFirst_IsOutOfRange_EvenOnceItsTailIsGone()
    {
        var (a, b) = (Replica(), Replica());
        var first = RandomNumberGenerator.GetBytes(64 * 1024);
        var second = RandomNumberGenerator.GetBytes(64 * 1024);
        var id = (await a.StartUploadAsync(Repo, default)).Id;
        await AppendAsync(a, id, first, 0, first.Length);

        // Both read the upload at 64 KiB, its bytes in a tail object; B appends the next range first, and its new
        // state drops that tail. A, which must read the old tail in front of its own bytes, finds it deleted:
        // it lost the race for that range, which the client learns as 416 with the upload's new length.
        var late = await a.GetUploadOrNullAsync(id, default);
        var oldTail = (await StateAsync(a, id)).TailKey!;
        var range = new UploadChunk(first.Length, second.Length);
        await (await b.GetUploadOrNullAsync(id, default))!.AppendAsync(new RequestBodyStream(second, 0, second.Length), range, default);
        Assert.Null(await _s3.Bucket.HeadOrNullAsync(oldTail, default));

        var e = await Assert.ThrowsAsync<OciException>(() => late!.AppendAsync(new RequestBodyStream(second, 0, second.Length), range, default));
        Assert.Equal(OciErrorCode.RangeInvalid, e.Code);
        Assert.Equal(first.Length + second.Length, (await StateAsync(b, id)).Length);
    }

    [RequiresS3Fact]
    public async Task Commit_PastSingleCopyLimit_PublishesByCopyInParts()
    {
        var bucket = _s3.OpenReplica();
        _clients.Add(bucket);
        var store = new S3BlobStore(bucket, _s3.Options, _clock) { SingleCopyLimit = Part, CopyPartBytes = Part };
        var content = RandomNumberGenerator.GetBytes(12 * MiB + 1);
        var upload = await store.StartUploadAsync(Repo, default);
        await upload.AppendAsync(new RequestBodyStream(content, 0, content.Length), UploadChunk.Unbounded, default);
        Assert.Equal(BlobCommitStatus.Created, await upload.CommitAsync(Digest.Compute(content), default));

        Assert.Equal(content, await ReadAllAsync(Replica(), Digest.Compute(content)));
        Assert.Empty(await MultipartUploadsAsync());
    }

    [RequiresS3Fact]
    public async Task Cancel_AbortsMultipartAndDeletesSession()
    {
        var (a, b) = (Replica(), Replica());
        var upload = await a.StartUploadAsync(Repo, default);
        var content = RandomNumberGenerator.GetBytes(6 * MiB);
        await upload.AppendAsync(new RequestBodyStream(content, 0, content.Length), UploadChunk.Unbounded, default);
        Assert.Single(await MultipartUploadsAsync());

        await (await b.GetUploadOrNullAsync(upload.Id, default))!.CancelAsync(default);
        Assert.Empty(await MultipartUploadsAsync());
        Assert.Empty(await KeysAsync(S3RegistryKeys.Uploads));
        Assert.Null(await a.GetUploadOrNullAsync(upload.Id, default));
        var e = await Assert.ThrowsAsync<OciException>(() => upload.AppendAsync(new MemoryStream([1]), UploadChunk.Unbounded, default));
        Assert.Equal(OciErrorCode.BlobUploadUnknown, e.Code);
    }

    [RequiresS3Fact]
    public async Task Open_SeekAfterReading_ReadsFromTheNewPosition()
    {
        var store = Replica();
        var content = RandomNumberGenerator.GetBytes(200_000);
        await store.PutAsync(Digest.Compute(content), content, default);
        await using var blob = await store.OpenReadOrNullAsync(Digest.Compute(content), default);
        var start = new byte[10];
        await blob!.Stream.ReadExactlyAsync(start);
        Assert.Equal(content[..10], start);

        blob.Stream.Position = 150_000;
        var rest = new byte[50_000];
        await blob.Stream.ReadExactlyAsync(rest);
        Assert.Equal(content[150_000..], rest);
        Assert.Equal(0, await blob.Stream.ReadAsync(new byte[1]));
        Assert.Equal(200_000, blob.Length);
        Assert.Null(blob.PhysicalPath);
    }

    internal S3BlobStore Replica()
    {
        var bucket = _s3.OpenReplica();
        _clients.Add(bucket);
        return new S3BlobStore(bucket, _s3.Options, _clock);
    }

    private static async Task AppendAsync(S3BlobStore store, string id, byte[] content, int offset, int count)
    {
        var upload = await store.GetUploadOrNullAsync(id, default);
        Assert.NotNull(upload);
        Assert.Equal(offset, upload.Length);
        Assert.Equal(offset + count, await upload.AppendAsync(new RequestBodyStream(content, offset, count), UploadChunk.Unbounded, default));
    }

    private static async Task<S3UploadState> StateAsync(S3BlobStore store, string id) =>
        (await store.ReadStateOrNullAsync(id, default))?.State ?? throw new InvalidOperationException($"no upload {id}");

    private static async Task<byte[]> ReadAllAsync(S3BlobStore store, Digest digest)
    {
        await using var content = await store.OpenReadOrNullAsync(digest, default);
        Assert.NotNull(content);
        using var buffer = new MemoryStream();
        await content.Stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private async Task AssertSessionGoneAsync(S3BlobStore store, string id)
    {
        Assert.Null(await store.GetUploadOrNullAsync(id, default));
        Assert.Empty(await KeysAsync(S3RegistryKeys.Uploads));
        Assert.Empty(await MultipartUploadsAsync());
    }

    private async Task<List<string>> KeysAsync(string prefix) =>
        await _s3.Bucket.ListAsync(prefix, default).Select(o => o.Key).ToListAsync();

    private async Task<List<S3MultipartUploadInfo>> MultipartUploadsAsync() =>
        await _s3.Bucket.ListMultipartUploadsAsync(string.Empty, default).ToListAsync();
}
