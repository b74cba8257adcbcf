using U7s.Oci;

namespace U7s.Registry.Storage;

/// <summary>
/// Any <see cref="IBlobStore"/> backend, raising <see cref="StoreChangeKind.BlobCommitted"/> on <paramref name="changes"/>
/// when content becomes readable: a stored manifest's bytes or a committed upload, not content that was already
/// there. Redirects of reads are passed on when the backend offers them.
/// </summary>
public sealed class ObservedBlobStore(IBlobStore inner, StoreChangeFeed changes) : IBlobStore, IBlobReadRedirect
{
    /// <summary>The backend underneath.</summary>
    public IBlobStore Inner => inner;

    public Task<long?> GetSizeOrNullAsync(Digest digest, CancellationToken cancellationToken) => inner.GetSizeOrNullAsync(digest, cancellationToken);

    public Task<BlobContent?> OpenReadOrNullAsync(Digest digest, CancellationToken cancellationToken) => inner.OpenReadOrNullAsync(digest, cancellationToken);

    public async Task<BlobCommitStatus> PutAsync(Digest digest, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var status = await inner.PutAsync(digest, content, cancellationToken);
        Committed(status, digest);
        return status;
    }

    public async Task<IBlobUpload> StartUploadAsync(RepositoryName repository, CancellationToken cancellationToken) =>
        new Upload(await inner.StartUploadAsync(repository, cancellationToken), this);

    public async Task<IBlobUpload?> GetUploadOrNullAsync(string uploadId, CancellationToken cancellationToken) =>
        await inner.GetUploadOrNullAsync(uploadId, cancellationToken) is { } upload ? new Upload(upload, this) : null;

    public Task<DateTimeOffset?> GetLastUsedOrNullAsync(Digest digest, CancellationToken cancellationToken) => inner.GetLastUsedOrNullAsync(digest, cancellationToken);

    public Task TouchAsync(Digest digest, CancellationToken cancellationToken) => inner.TouchAsync(digest, cancellationToken);

    public Task<bool> DeleteAsync(Digest digest, CancellationToken cancellationToken) => inner.DeleteAsync(digest, cancellationToken);

    public IAsyncEnumerable<Digest> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    public Task<int> PurgeUploadsAsync(TimeSpan maxIdle, CancellationToken cancellationToken) => inner.PurgeUploadsAsync(maxIdle, cancellationToken);

    public Task<Uri?> GetReadUrlOrNullAsync(Digest digest, CancellationToken cancellationToken) =>
        inner is IBlobReadRedirect redirect ? redirect.GetReadUrlOrNullAsync(digest, cancellationToken) : Task.FromResult<Uri?>(null);

    private void Committed(BlobCommitStatus status, Digest digest)
    {
        if (status == BlobCommitStatus.Created)
        {
            changes.Raise(new StoreChange(StoreChangeKind.BlobCommitted, null, digest));
        }
    }

    private sealed class Upload(IBlobUpload inner, ObservedBlobStore store) : IBlobUpload
    {
        public string Id => inner.Id;

        public RepositoryName Repository => inner.Repository;

        public long Length => inner.Length;

        public Task<long> AppendAsync(Stream source, UploadChunk chunk, CancellationToken cancellationToken) => inner.AppendAsync(source, chunk, cancellationToken);

        public async Task<BlobCommitStatus> CommitAsync(Digest expected, CancellationToken cancellationToken)
        {
            var status = await inner.CommitAsync(expected, cancellationToken);
            store.Committed(status, expected);
            return status;
        }

        public Task CancelAsync(CancellationToken cancellationToken) => inner.CancelAsync(cancellationToken);
    }
}
