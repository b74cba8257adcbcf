using U7s.Oci;
using U7s.Registry.Storage;

namespace U7s.Registry.Blobs;

/// <summary>Blob reads, uploads and mounts, scoped to repositories through their blob links.</summary>
internal sealed class BlobService(IBlobStore blobs, IMetadataStore metadata, RegistryMetrics metrics, RegistryOptions options)
{
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

    /// <summary>Makes an existing blob readable in <paramref name="repository"/>; false when it cannot be mounted.</summary>
    /// <remarks>
    /// With <paramref name="from"/> the blob must be readable there; without it any stored copy will do
    /// (the spec lets a registry mount automatically when it already holds the content).
    /// </remarks>
    public async Task<bool> TryMountAsync(RepositoryName repository, Digest digest, RepositoryName? from, CancellationToken cancellationToken)
    {
        if (from is { } source && !await metadata.IsBlobLinkedAsync(source, digest, cancellationToken))
        {
            return false;
        }

        if (await blobs.GetSizeOrNullAsync(digest, cancellationToken) is null)
        {
            return false;
        }

        await blobs.TouchAsync(digest, cancellationToken);
        await metadata.LinkBlobAsync(repository, digest, cancellationToken);
        return true;
    }

    public Task<IBlobUpload> StartUploadAsync(RepositoryName repository, CancellationToken cancellationToken) =>
        blobs.StartUploadAsync(repository, cancellationToken);

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
    /// Appends a chunk. When the client names a range, its start MUST equal the current length
    /// (else 416) and its length the body's.
    /// </summary>
    public async Task<long> AppendAsync(IBlobUpload upload, Stream body, ContentRange? range, long? contentLength, CancellationToken cancellationToken)
    {
        if (range is { } r)
        {
            if (r.Start != upload.Length)
            {
                throw new UploadRangeException(upload, $"chunk starts at {r.Start}; the upload has {upload.Length} bytes");
            }

            if (contentLength is { } declared && declared != r.Length)
            {
                throw new UploadRangeException(upload, $"Content-Range covers {r.Length} bytes but Content-Length is {declared}");
            }
        }

        var before = upload.Length;
        var after = await upload.AppendAsync(body, options.MaxUploadBytes, cancellationToken);
        var expected = range?.Length ?? contentLength;
        if (expected is { } count && after - before != count)
        {
            throw new OciException(OciErrorCode.SizeInvalid, $"received {after - before} bytes, expected {count}");
        }

        metrics.AddBytesReceived(after - before);
        return after;
    }

    /// <summary>
    /// Stores a whole blob in one go (single-request push, local loads): upload, check length and
    /// digest, link. On any failure the upload is discarded and nothing becomes visible.
    /// </summary>
    public async Task PutWholeAsync(RepositoryName repository, Stream content, long? length, Digest digest, CancellationToken cancellationToken)
    {
        var upload = await StartUploadAsync(repository, cancellationToken);
        try
        {
            await AppendAsync(upload, content, null, length, cancellationToken);
            await CompleteAsync(upload, digest, cancellationToken);
        }
        catch
        {
            await upload.CancelAsync(CancellationToken.None);
            throw;
        }
    }

    /// <summary>Commits the upload under <paramref name="digest"/> and links the blob into the repository.</summary>
    public async Task CompleteAsync(IBlobUpload upload, Digest digest, CancellationToken cancellationToken)
    {
        await upload.CommitAsync(digest, cancellationToken);
        await metadata.LinkBlobAsync(upload.Repository, digest, cancellationToken);
        metrics.UploadCompleted();
    }

    /// <summary>Removes the blob from the repository; false when the repository does not have it.</summary>
    /// <remarks>The content itself stays until garbage collection finds no repository and no manifest using it.</remarks>
    public Task<bool> DeleteAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        metadata.UnlinkBlobAsync(repository, digest, cancellationToken);
}
