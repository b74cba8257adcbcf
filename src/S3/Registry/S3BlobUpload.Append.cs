using System.Buffers;
using U7s.Oci;
using U7s.Registry.Storage;

namespace U7s.S3.Registry;

/// <summary>Appending: at most one part of bytes in memory, parts to the multipart upload, the rest to a new tail.</summary>
/// <remarks>
/// The state an append starts from may be replaced by a concurrent request at any moment, and that request then
/// deletes the old tail. An append that finds its tail (or its multipart upload) gone has lost the race exactly as
/// one whose If-Match fails, and answers the same: out of range (416) when the winner moved the upload past the
/// chunk's start, so a client resumes from the new length instead of giving up on a 400.
/// </remarks>
internal sealed partial class S3BlobUpload
{
    public async Task<long> AppendAsync(Stream source, UploadChunk chunk, CancellationToken cancellationToken)
    {
        var before = _current;
        var state = before.State;

        // Checked against the state this append will replace only if it is still current (If-Match below), so
        // of two appends for the same range one wins and the other fails as out of range.
        chunk.CheckStart(state.Length);
        var partBytes = store.Options.PartBytes;
        var hash = store.Hashes.CloneAt(Id, state.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(partBytes);
        var multipartKey = state.MultipartKey;
        var multipartId = state.MultipartId;
        var parts = new List<S3UploadPart>(state.Parts);
        string? newTail = null;
        try
        {
            // A tail of a part or more (the whole upload, once a failed commit assembled it) gives its full parts
            // by server-side copy; the rest of the tail goes in front of the new bytes, read only if any come.
            long tailOffset = 0;
            while (state.TailLength - tailOffset >= partBytes)
            {
                await EnsureMultipartAsync();
                var copied = await store.Bucket.CopyPartOrNullAsync(state.TailKey!, tailOffset, partBytes, multipartKey!, multipartId!, NextPartNumber(), cancellationToken)
                    ?? throw await store.LostUploadAsync(Id, chunk.Start, cancellationToken);
                parts.Add(new S3UploadPart(NextPartNumber(), copied, partBytes));
                tailOffset += partBytes;
            }

            var carry = (int)(state.TailLength - tailOffset);
            var tailLoaded = carry == 0;
            var filled = carry;
            var total = state.Length;
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(filled, partBytes - filled), cancellationToken)) > 0)
            {
                total += read;
                chunk.CheckGrowth(state.Length, total);

                hash?.AppendData(buffer, filled, read);
                filled += read;
                if (filled == partBytes)
                {
                    await LoadTailAsync();
                    await UploadPartAsync(partBytes);
                    filled = 0;
                }
            }

            chunk.CheckReceived(total - state.Length);
            var tailKey = state.TailKey;
            if (total != state.Length || tailOffset > 0)
            {
                tailKey = null;
                if (filled > 0)
                {
                    await LoadTailAsync();
                    newTail = S3RegistryKeys.NewUploadTail(Id);
                    using var tail = new MemoryStream(buffer, 0, filled, writable: false);
                    await store.Bucket.PutStreamAsync(newTail, tail, filled, cancellationToken);
                    tailKey = newTail;
                }
            }

            var next = state with
            {
                Length = total,
                Updated = store.Time.GetUtcNow(),
                Sha256 = hash is null ? null : Convert.ToHexStringLower(hash.GetCurrentHash()),
                MultipartKey = multipartKey,
                MultipartId = multipartId,
                Parts = parts,
                TailKey = tailKey,
            };

            // The commit point. If the outcome is unknown (the request failed on the way), the new tail must stay:
            // the state may name it. The session's end removes it otherwise.
            var written = newTail;
            newTail = null;
            var etag = await store.ReplaceStateOrNullAsync(Id, next, before.ETag, cancellationToken);
            if (etag is null)
            {
                newTail = written;
                throw await store.LostUploadAsync(Id, chunk.Start, cancellationToken);
            }

            _current = new Snapshot(next, etag);
            if (hash is not null)
            {
                store.Hashes.Set(Id, total, hash);
                hash = null;
            }

            if (state.TailKey is { } oldTail && oldTail != tailKey)
            {
                await store.DeleteQuietlyAsync(oldTail);
            }

            return total;

            async Task LoadTailAsync()
            {
                if (tailLoaded)
                {
                    return;
                }

                using var response = await store.Bucket.GetOrNullAsync(state.TailKey!, tailOffset, carry, cancellationToken)
                    ?? throw await store.LostUploadAsync(Id, chunk.Start, cancellationToken);
                await response.Body.ReadExactlyAsync(buffer.AsMemory(0, carry), cancellationToken);
                tailLoaded = true;
            }
        }
        finally
        {
            hash?.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
            if (newTail is not null)
            {
                // Never named by a state: nobody will read it.
                await store.DeleteQuietlyAsync(newTail);
            }
        }

        int NextPartNumber() => parts.Count + 1;

        async Task EnsureMultipartAsync()
        {
            if (multipartId is not null)
            {
                return;
            }

            // Created on the first full part only: small blobs never need one. Should this append fail, the
            // multipart upload is named by no state; the session's end aborts it with the others.
            multipartKey = S3RegistryKeys.NewUploadData(Id);
            multipartId = await store.Bucket.StartMultipartAsync(multipartKey, cancellationToken);
        }

        async Task UploadPartAsync(int length)
        {
            if (parts.Count >= S3Bucket.MaxParts)
            {
                throw new OciException(OciErrorCode.SizeInvalid, $"upload exceeds {S3Bucket.MaxParts} parts of {partBytes} bytes");
            }

            await EnsureMultipartAsync();
            using var part = new MemoryStream(buffer, 0, length, writable: false);
            var etag = await store.Bucket.UploadPartOrNullAsync(multipartKey!, multipartId!, NextPartNumber(), part, length, cancellationToken)
                ?? throw await store.LostUploadAsync(Id, chunk.Start, cancellationToken);
            parts.Add(new S3UploadPart(NextPartNumber(), etag, length));
        }
    }
}
