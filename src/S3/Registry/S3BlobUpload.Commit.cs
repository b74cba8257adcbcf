using System.Buffers;
using System.Security.Cryptography;
using U7s.Oci;
using U7s.Registry.Storage;

namespace U7s.S3.Registry;

/// <summary>
/// Committing: verify, then publish. When one replica hashed every byte, its digest in the state decides;
/// otherwise the multipart upload is completed into the session's own data object and hashed as it streams
/// back. Only verified bytes are copied to the blob key.
/// </summary>
internal sealed partial class S3BlobUpload
{
    private const int HashBufferBytes = 256 * 1024;

    public async Task<BlobCommitStatus> CommitAsync(Digest expected, CancellationToken cancellationToken)
    {
        var known = _current.State.Sha256 is { } hex && expected.Algorithm == "sha256" ? Digest.FromHash("sha256", Convert.FromHexString(hex)) : (Digest?)null;
        if (known is { } earlier && earlier != expected)
        {
            // Nothing was touched: the upload is exactly as it was.
            throw new OciException(OciErrorCode.DigestInvalid, $"uploaded content hashes to {earlier}, not {expected}");
        }

        var assembled = await AssembleAsync(cancellationToken);
        var state = assembled.State;
        if (known is null)
        {
            var (sha256, actual) = await HashAsync(state.TailKey, state.Length, expected.Algorithm, cancellationToken);
            if (actual != expected)
            {
                // The upload stays as it was (assembled, which changes nothing a client can see); remembering its
                // digest makes a retry with the right one cheap.
                await RememberDigestAsync(assembled, sha256, cancellationToken);
                throw new OciException(OciErrorCode.DigestInvalid, $"uploaded content hashes to {actual}, not {expected}");
            }
        }

        var status = await store.PublishAsync(state.TailKey, state.Length, expected, cancellationToken);

        // Published: finish even if the client gives up now, or its retry would find no upload to commit.
        await store.TouchAsync(expected, CancellationToken.None);
        await store.EndUploadAsync(Id, CancellationToken.None);
        return status;
    }

    /// <summary>
    /// Brings the upload into one object, named by the state's tail: completes the multipart upload with the
    /// old tail as its last part. A small upload never had a multipart upload and is its tail already.
    /// </summary>
    private async Task<Snapshot> AssembleAsync(CancellationToken cancellationToken)
    {
        var current = _current;
        var state = current.State;
        if (state.MultipartId is not { } multipartId || state.MultipartKey is not { } multipartKey)
        {
            return current;
        }

        var parts = state.Parts.Select(p => (p.Number, p.ETag)).ToList();
        var completed = false;
        if (state.TailLength > 0)
        {
            var etag = await store.Bucket.CopyPartOrNullAsync(state.TailKey!, 0, state.TailLength, multipartKey, multipartId, parts.Count + 1, cancellationToken);
            if (etag is not null)
            {
                parts.Add((parts.Count + 1, etag));
                completed = await store.Bucket.CompleteMultipartAsync(multipartKey, multipartId, parts, state.Length, cancellationToken);
            }
        }
        else
        {
            completed = await store.Bucket.CompleteMultipartAsync(multipartKey, multipartId, parts, state.Length, cancellationToken);
        }

        // A multipart upload that is gone was either completed by a commit that failed before it could record so
        // (then the data object holds the whole upload), or the session ended.
        if (!completed && (await store.Bucket.HeadOrNullAsync(multipartKey, cancellationToken))?.Length != state.Length)
        {
            throw await store.LostUploadAsync(Id, cancellationToken);
        }

        var next = state with { MultipartKey = null, MultipartId = null, Parts = [], TailKey = multipartKey, Updated = store.Time.GetUtcNow() };
        var newETag = await store.ReplaceStateOrNullAsync(Id, next, current.ETag, cancellationToken)
            ?? throw await store.LostUploadAsync(Id, cancellationToken);
        _current = new Snapshot(next, newETag);
        if (state.TailKey is { } oldTail)
        {
            await store.DeleteQuietlyAsync(oldTail);
        }

        return _current;
    }

    /// <summary>Streams the assembled upload back: its SHA-256 (hex) and its digest in <paramref name="algorithm"/>.</summary>
    private async Task<(string Sha256, Digest Actual)> HashAsync(string? key, long length, string algorithm, CancellationToken cancellationToken)
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var sha512 = algorithm == "sha512" ? IncrementalHash.CreateHash(HashAlgorithmName.SHA512) : null;
        long total = 0;
        if (key is not null)
        {
            using var response = await store.Bucket.GetOrNullAsync(key, 0, null, cancellationToken)
                ?? throw await store.LostUploadAsync(Id, cancellationToken);
            var buffer = ArrayPool<byte>.Shared.Rent(HashBufferBytes);
            try
            {
                int read;
                while ((read = await response.Body.ReadAsync(buffer.AsMemory(0, HashBufferBytes), cancellationToken)) > 0)
                {
                    sha256.AppendData(buffer, 0, read);
                    sha512?.AppendData(buffer, 0, read);
                    total += read;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        if (total != length)
        {
            throw new InvalidDataException($"upload {Id} holds {total} bytes where its state records {length}");
        }

        var sha256Hash = sha256.GetHashAndReset();
        var actual = sha512 is null ? Digest.FromHash("sha256", sha256Hash) : Digest.FromHash("sha512", sha512.GetHashAndReset());
        return (Convert.ToHexStringLower(sha256Hash), actual);
    }

    private async Task RememberDigestAsync(Snapshot assembled, string sha256, CancellationToken cancellationToken)
    {
        var next = assembled.State with { Sha256 = sha256 };
        if (await store.ReplaceStateOrNullAsync(Id, next, assembled.ETag, cancellationToken) is { } etag)
        {
            _current = new Snapshot(next, etag);
        }
    }
}
