using U7s.Oci;
using U7s.Registry.Storage;

namespace U7s.Registry.Blobs;

/// <summary>Blob reads, uploads and mounts, scoped to repositories through their blob links.</summary>
/// <remarks>
/// Whatever takes up a blob that is stored already (a mount, a commit of the same content) holds the registry
/// lock shared, as manifest pushes do: a collection deletes only under the exclusive lock, after re-reading
/// when the blob was last used, so it never deletes a blob between finding it stored and the answer that it is there.
/// </remarks>
internal sealed class BlobService(IBlobStore blobs, IMetadataStore metadata, IRegistryLock registryLock, UploadQuota quota, RegistryMetrics metrics, RegistryOptions options)
{
    /// <summary>Repositories a mount without <c>from</c> looks in, at most.</summary>
    internal const int MaxAutomaticMountCandidates = 1000;

    /// <summary>Opens a blob readable in the repository, or null.</summary>
    public async Task<BlobContent?> OpenOrNullAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        await metadata.IsBlobLinkedAsync(repository, digest, cancellationToken)
            ? await blobs.OpenReadOrNullAsync(digest, cancellationToken)
            : null;

    /// <summary>
    /// Where the client may fetch a blob readable in the repository straight from the storage; null to serve
    /// it here (the store does not redirect, or the blob is not readable).
    /// </summary>
    public async Task<Uri?> GetReadUrlOrNullAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        blobs is IBlobReadRedirect redirect
        && await redirect.GetReadUrlOrNullAsync(digest, cancellationToken) is { } url
        && await metadata.IsBlobLinkedAsync(repository, digest, cancellationToken)
            ? url
            : null;

    /// <summary>True when the blob is stored and readable in the repository.</summary>
    public async Task<bool> HasAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        await GetSizeOrNullAsync(repository, digest, cancellationToken) is not null;

    /// <summary>The size of a blob readable in the repository, without opening it; null when it is not readable.</summary>
    public async Task<long?> GetSizeOrNullAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        await metadata.IsBlobLinkedAsync(repository, digest, cancellationToken)
            ? await blobs.GetSizeOrNullAsync(digest, cancellationToken)
            : null;

    /// <summary>Makes an existing blob readable in <paramref name="repository"/>: the repository it was mounted from, or null when it cannot be mounted.</summary>
    /// <remarks>
    /// The blob must be readable in a repository the writer may read: <paramref name="from"/>, or without it (the
    /// spec lets a registry mount when it can find the content) a repository of the catalog that links it, when
    /// <see cref="RegistryOptions.AutomaticCrossMount"/> is on. A stored blob that no repository links any more
    /// (deleted, waiting for gc) or the bytes of a manifest are never mounted: they are not readable as blobs
    /// anywhere. Whoever may push may pull every repository (pulls are anonymous, or need any login), so every
    /// repository of the catalog is one the writer may read.
    /// </remarks>
    public async Task<RepositoryName?> TryMountAsync(RepositoryName repository, Digest digest, RepositoryName? from, CancellationToken cancellationToken)
    {
        var source = from ?? await FindLinkingRepositoryOrNullAsync(repository, digest, cancellationToken);
        if (source is null || !await metadata.IsBlobLinkedAsync(source.Value, digest, cancellationToken))
        {
            return null;
        }

        await using (await registryLock.EnterSharedAsync(cancellationToken))
        {
            if (await blobs.GetSizeOrNullAsync(digest, cancellationToken) is null)
            {
                return null;
            }

            await blobs.TouchAsync(digest, cancellationToken);
            await metadata.LinkBlobAsync(repository, digest, cancellationToken);
            return source;
        }
    }

    /// <summary>
    /// A repository of the catalog that links the stored blob, or null. The ones sharing the longest leading path with
    /// <paramref name="target"/> are tried first (images of one project share layers); at most
    /// <see cref="MaxAutomaticMountCandidates"/> are looked at, a few at a time, so a mount costs a bounded number of
    /// lookups however large the registry. Not found is never wrong: the client then uploads the bytes.
    /// </summary>
    private async Task<RepositoryName?> FindLinkingRepositoryOrNullAsync(RepositoryName target, Digest digest, CancellationToken cancellationToken)
    {
        if (!options.AutomaticCrossMount || await blobs.GetSizeOrNullAsync(digest, cancellationToken) is null)
        {
            return null;
        }

        var candidates = (await metadata.ListRepositoriesAsync(cancellationToken))
            .Select(RepositoryName.Parse)
            .OrderByDescending(r => SharedSegments(r, target))
            .ThenBy(r => r.Value, StringComparer.Ordinal)
            .Take(MaxAutomaticMountCandidates);
        foreach (var batch in candidates.Chunk(8))
        {
            var linked = await Task.WhenAll(batch.Select(r => metadata.IsBlobLinkedAsync(r, digest, cancellationToken)));
            var found = Array.IndexOf(linked, true);
            if (found >= 0)
            {
                return batch[found];
            }
        }

        return null;
    }

    private static int SharedSegments(RepositoryName a, RepositoryName b) =>
        a.Value.Split('/').Zip(b.Value.Split('/')).TakeWhile(p => p.First == p.Second).Count();

    /// <summary>
    /// Starts an upload session for <paramref name="writer"/> (the user, or the address of an anonymous
    /// writer); MUST throw TOOMANYREQUESTS when the writer holds <see cref="RegistryOptions.MaxOpenUploadsPerWriter"/> open already.
    /// </summary>
    public async Task<IBlobUpload> StartUploadAsync(RepositoryName repository, string writer, CancellationToken cancellationToken)
    {
        if (!quota.TryReserve(writer))
        {
            // Sessions that expired or ended elsewhere (another replica) still count until looked at.
            foreach (var id in quota.OpenOf(writer))
            {
                if (await blobs.GetUploadOrNullAsync(id, cancellationToken) is null)
                {
                    quota.Ended(id);
                }
            }

            if (!quota.TryReserve(writer))
            {
                throw new OciException(OciErrorCode.TooManyRequests, $"{writer} has {quota.Limit} uploads open, the most allowed; finish or cancel some first");
            }
        }

        IBlobUpload? upload = null;
        try
        {
            upload = await blobs.StartUploadAsync(repository, cancellationToken);
            return upload;
        }
        finally
        {
            quota.Started(writer, upload?.Id);
        }
    }

    /// <summary>The repository's live upload; MUST throw BLOB_UPLOAD_UNKNOWN for anything else.</summary>
    public async Task<IBlobUpload> GetUploadAsync(RepositoryName repository, string uploadId, CancellationToken cancellationToken)
    {
        var upload = await blobs.GetUploadOrNullAsync(uploadId, cancellationToken);
        if (upload is null || upload.Repository != repository)
        {
            throw new OciException(OciErrorCode.BlobUploadUnknown, $"no upload '{uploadId}' in {repository}");
        }

        return upload;
    }

    /// <summary>
    /// Appends a chunk. When the client names a range, its start MUST equal the current length (else 416)
    /// and its length the body's; the store checks both under the upload's lock, so a rejected chunk, or the
    /// loser of two racing for one range, leaves the upload as it was.
    /// </summary>
    public async Task<long> AppendAsync(IBlobUpload upload, Stream body, ContentRange? range, long? contentLength, CancellationToken cancellationToken)
    {
        if (range is { } r && contentLength is { } declared && declared != r.Length)
        {
            throw new UploadRangeException(upload, $"Content-Range covers {r.Length} bytes but Content-Length is {declared}");
        }

        var chunk = new UploadChunk(range?.Start, range?.Length ?? contentLength, options.MaxUploadBytes);
        var before = range?.Start ?? upload.Length;
        long after;
        try
        {
            after = await upload.AppendAsync(body, chunk, cancellationToken);
        }
        catch (OciException e) when (e.Code == OciErrorCode.RangeInvalid)
        {
            // Answered with where the upload is now, which another request may have moved.
            throw new UploadRangeException(await blobs.GetUploadOrNullAsync(upload.Id, cancellationToken) ?? upload, e.Detail ?? e.Message);
        }

        metrics.AddBytesReceived(after - before);
        return after;
    }

    /// <summary>
    /// Stores a whole blob in one go (single-request push, local loads): upload, check length and
    /// digest, link. On any failure the upload is discarded and nothing becomes visible. Once the content
    /// has arrived, the commit runs to its end even if <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async Task PutWholeAsync(RepositoryName repository, Stream content, long? length, Digest digest, CancellationToken cancellationToken)
    {
        var upload = await blobs.StartUploadAsync(repository, cancellationToken);
        try
        {
            await AppendAsync(upload, content, null, length, cancellationToken);
            await CompleteAsync(upload, digest, CancellationToken.None);
        }
        catch
        {
            await upload.CancelAsync(CancellationToken.None);
            throw;
        }
    }

    /// <summary>Commits the upload under <paramref name="digest"/> and links the blob into the repository.</summary>
    /// <remarks>
    /// A blob stored already may be an old one a collection is deleting just now: then the commit holds the
    /// registry lock shared, so that it either finds the blob gone and publishes it anew, or touches it before
    /// the collection looks. A blob that is not stored yet is published as used now, which spares it.
    /// </remarks>
    public async Task CompleteAsync(IBlobUpload upload, Digest digest, CancellationToken cancellationToken)
    {
        var guard = await blobs.GetSizeOrNullAsync(digest, cancellationToken) is null ? null : await registryLock.EnterSharedAsync(cancellationToken);
        await using (guard)
        {
            await upload.CommitAsync(digest, cancellationToken);
            await metadata.LinkBlobAsync(upload.Repository, digest, cancellationToken);
        }

        quota.Ended(upload.Id);
        metrics.UploadCompleted();
    }

    /// <summary>Discards the upload and its bytes.</summary>
    public async Task CancelAsync(IBlobUpload upload, CancellationToken cancellationToken)
    {
        await upload.CancelAsync(cancellationToken);
        quota.Ended(upload.Id);
    }

    /// <summary>Removes the blob from the repository; false when the repository does not have it.</summary>
    /// <remarks>The content itself stays until garbage collection finds no repository and no manifest using it.</remarks>
    public Task<bool> DeleteAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        metadata.UnlinkBlobAsync(repository, digest, cancellationToken);
}
