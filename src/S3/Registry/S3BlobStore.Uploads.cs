using System.Security.Cryptography;
using System.Text.Json;
using U7s.Oci;
using U7s.Registry.Storage;

namespace U7s.S3.Registry;

/// <summary>Upload sessions: their state object, publishing verified content, and ending or expiring them.</summary>
public sealed partial class S3BlobStore
{
    /// <summary>The longest a failed request waits for its own cleanup before answering; the cleanup goes on meanwhile.</summary>
    internal static readonly TimeSpan CleanupWait = TimeSpan.FromSeconds(1);

    /// <summary>A state with 10,000 parts is under 1 MB.</summary>
    private const int MaxStateBytes = 4 * 1024 * 1024;

    private static readonly string EmptySha256 = Convert.ToHexStringLower(SHA256.HashData([]));

    public async Task<IBlobUpload> StartUploadAsync(RepositoryName repository, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N");
        var state = new S3UploadState { Repository = repository.Value, Length = 0, Updated = Time.GetUtcNow(), Sha256 = EmptySha256 };
        var etag = await Bucket.CreateOrNullAsync(S3RegistryKeys.UploadState(id), Serialize(state), cancellationToken)
            ?? throw new InvalidOperationException($"upload id {id} is taken");
        return new S3BlobUpload(this, id, repository, state, etag);
    }

    public async Task<IBlobUpload?> GetUploadOrNullAsync(string uploadId, CancellationToken cancellationToken)
    {
        if (!S3RegistryKeys.IsUploadId(uploadId) || await ReadStateOrNullAsync(uploadId, cancellationToken) is not { } stored)
        {
            return null;
        }

        return RepositoryName.TryParse(stored.State.Repository, out var repository)
            ? new S3BlobUpload(this, uploadId, repository, stored.State, stored.ETag)
            : null;
    }

    public async Task<int> PurgeUploadsAsync(TimeSpan maxIdle, CancellationToken cancellationToken)
    {
        var cutoff = Time.GetUtcNow() - maxIdle;
        Hashes.RemoveIdle(cutoff);
        var (directories, _) = await Bucket.ListDirectoryAsync(S3RegistryKeys.Uploads, cancellationToken);
        var multiparts = new Dictionary<string, List<S3MultipartUploadInfo>>(StringComparer.Ordinal);
        await foreach (var multipart in Bucket.ListMultipartUploadsAsync(S3RegistryKeys.Uploads, cancellationToken))
        {
            if (S3RegistryKeys.UploadIdOf(multipart.Key) is { } owner)
            {
                (multiparts.TryGetValue(owner, out var list) ? list : multiparts[owner] = []).Add(multipart);
            }
        }

        var purged = 0;
        foreach (var id in directories.Union(multiparts.Keys))
        {
            var own = multiparts.GetValueOrDefault(id) ?? [];
            if (await ReadStateOrNullAsync(id, cancellationToken) is { } stored
                && (stored.State.Updated >= cutoff || await IsReceivingAsync(own, cutoff, cancellationToken)))
            {
                continue;
            }

            // Idle, or a session without state: what a cancel or commit interrupted by a crash left behind.
            await EndUploadAsync(id, cancellationToken);
            purged++;
        }

        // Copies in parts of blobs past the single-copy limit that a crash interrupted.
        await foreach (var multipart in Bucket.ListMultipartUploadsAsync(S3RegistryKeys.Blobs, cancellationToken))
        {
            if (multipart.Initiated < cutoff)
            {
                await Bucket.AbortMultipartAsync(multipart.Key, multipart.UploadId, cancellationToken);
                purged++;
            }
        }

        return purged;
    }

    /// <summary>The stored state of an upload and its ETag; null when the upload is gone (or its state unreadable).</summary>
    internal async Task<(S3UploadState State, string ETag)?> ReadStateOrNullAsync(string id, CancellationToken cancellationToken)
    {
        if (await Bucket.ReadAllWithETagOrNullAsync(S3RegistryKeys.UploadState(id), MaxStateBytes, cancellationToken) is not { } stored)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(stored.Content, S3RegistryJsonContext.Default.S3UploadState) is { } state ? (state, stored.ETag) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Replaces the upload's state if it is still <paramref name="etag"/>; the new ETag, or null when something else changed it.</summary>
    internal Task<string?> ReplaceStateOrNullAsync(string id, S3UploadState state, string etag, CancellationToken cancellationToken) =>
        Bucket.ReplaceOrNullAsync(S3RegistryKeys.UploadState(id), Serialize(state), etag, cancellationToken);

    /// <summary>The error for an upload whose state changed under an operation: gone, or moved on by a concurrent request.</summary>
    internal Task<OciException> LostUploadAsync(string id, CancellationToken cancellationToken) => LostUploadAsync(id, null, cancellationToken);

    /// <summary>
    /// The error for an upload whose state changed under an append that was to start at <paramref name="expectedStart"/>:
    /// gone; out of range, when a concurrent append moved it past that start (the answer a check made after that
    /// append would have given); or otherwise moved on.
    /// </summary>
    internal async Task<OciException> LostUploadAsync(string id, long? expectedStart, CancellationToken cancellationToken)
    {
        if (await ReadStateOrNullAsync(id, cancellationToken) is not { } stored)
        {
            return new OciException(OciErrorCode.BlobUploadUnknown, "the upload was cancelled, finished or has expired");
        }

        return expectedStart is { } start && stored.State.Length != start
            ? new OciException(OciErrorCode.RangeInvalid, $"chunk starts at {start}; another request appended first and the upload has {stored.State.Length} bytes")
            : new OciException(OciErrorCode.BlobUploadInvalid, "another request changed the upload meanwhile; ask for its status and resume from there");
    }

    /// <summary>
    /// Makes the verified content of <paramref name="sourceKey"/> (null: empty) readable under
    /// <paramref name="digest"/>, by server-side copy: the blob key shows nothing until the copy is whole.
    /// </summary>
    internal async Task<BlobCommitStatus> PublishAsync(string? sourceKey, long length, Digest digest, CancellationToken cancellationToken)
    {
        var key = S3RegistryKeys.Blob(digest);
        if (await Bucket.HeadOrNullAsync(key, cancellationToken) is not null)
        {
            // Same digest, same bytes: the stored copy is as good.
            return BlobCommitStatus.AlreadyExists;
        }

        if (sourceKey is null)
        {
            return await Bucket.PutIfAbsentAsync(key, ReadOnlyMemory<byte>.Empty, cancellationToken) ? BlobCommitStatus.Created : BlobCommitStatus.AlreadyExists;
        }

        if (length <= SingleCopyLimit)
        {
            await Bucket.CopyAsync(sourceKey, key, length, cancellationToken);
            return BlobCommitStatus.Created;
        }

        var uploadId = await Bucket.StartMultipartAsync(key, cancellationToken);
        try
        {
            var parts = new List<(int, string)>();
            for (long offset = 0; offset < length; offset += CopyPartBytes)
            {
                var etag = await Bucket.CopyPartOrNullAsync(sourceKey, offset, Math.Min(CopyPartBytes, length - offset), key, uploadId, parts.Count + 1, cancellationToken)
                    ?? throw new IOException($"the assembled upload {sourceKey} disappeared while being published");
                parts.Add((parts.Count + 1, etag));
            }

            if (!await Bucket.CompleteMultipartAsync(key, uploadId, parts, length, cancellationToken))
            {
                throw new IOException($"the copy of {sourceKey} to {key} was aborted");
            }
        }
        catch
        {
            await AbortQuietlyAsync(key, uploadId);
            throw;
        }

        return BlobCommitStatus.Created;
    }

    /// <summary>
    /// Ends a session: its state goes first (from then on the upload is unknown everywhere), then its multipart
    /// uploads and objects. Once the state is gone a failure is not the caller's: the purge finishes the job.
    /// </summary>
    internal async Task EndUploadAsync(string id, CancellationToken cancellationToken)
    {
        Hashes.Remove(id);
        var prefix = S3RegistryKeys.Upload(id);
        await Bucket.DeleteAsync(S3RegistryKeys.UploadState(id), cancellationToken);
        try
        {
            await foreach (var multipart in Bucket.ListMultipartUploadsAsync(prefix, cancellationToken))
            {
                await Bucket.AbortMultipartAsync(multipart.Key, multipart.UploadId, cancellationToken);
            }

            await foreach (var o in Bucket.ListAsync(prefix, cancellationToken))
            {
                await Bucket.DeleteAsync(o.Key, cancellationToken);
            }
        }
        catch (Exception e) when (e is StorageException or OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Deletes an object nobody needs any more; a failure only leaves it for the session's end. Waits for it at most
    /// <see cref="CleanupWait"/>, so cleaning up after a store that stopped answering does not double the wait.
    /// </summary>
    internal Task DeleteQuietlyAsync(string key) => Bucket.DeleteQuietlyAsync(key, CleanupWait);

    /// <summary>Aborts a copy in parts that failed; the purge aborts it later should this fail too.</summary>
    private async Task AbortQuietlyAsync(string key, string uploadId)
    {
        var abort = Task.Run(async () =>
        {
            try
            {
                await Bucket.AbortMultipartAsync(key, uploadId, CancellationToken.None);
            }
            catch (StorageException)
            {
            }
        });
        await Task.WhenAny(abort, Task.Delay(CleanupWait));
    }

    private static byte[] Serialize(S3UploadState state) => JsonSerializer.SerializeToUtf8Bytes(state, S3RegistryJsonContext.Default.S3UploadState);

    /// <summary>
    /// Whether a long append is still sending parts: the state only changes when an append ends, so an append
    /// longer than the expiry would otherwise look idle.
    /// </summary>
    private async Task<bool> IsReceivingAsync(List<S3MultipartUploadInfo> multiparts, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        foreach (var multipart in multiparts)
        {
            if (multipart.Initiated >= cutoff)
            {
                return true;
            }

            var parts = await Bucket.ListPartsOrNullAsync(multipart.Key, multipart.UploadId, cancellationToken);
            if (parts?.Any(p => p.LastModified >= cutoff) == true)
            {
                return true;
            }
        }

        return false;
    }
}
