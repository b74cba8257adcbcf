using U7s.Oci;
using U7s.Registry.Storage;

namespace U7s.S3.Registry;

/// <summary>
/// An upload session kept entirely in the bucket, so each request may land on another replica. Data goes to an
/// S3 multipart upload in parts of <see cref="S3StorageOptions.PartBytes"/>; what does not fill a part waits in
/// a small tail object that the next append, on whatever replica, puts in front of its own bytes. The state
/// object is the commit point: an append counts once its state replaced the one it started from (If-Match),
/// so a failed append leaves the previous length and of two racing appends exactly one wins.
/// </summary>
/// <remarks>
/// This object is a snapshot of the state it was read with; <see cref="Length"/> is that state's. The HTTP
/// layer reads the upload afresh for every request, which is what makes the snapshot current enough.
/// </remarks>
internal sealed partial class S3BlobUpload(S3BlobStore store, string id, RepositoryName repository, S3UploadState state, string etag) : IBlobUpload
{
    private volatile Snapshot _current = new(state, etag);

    public string Id { get; } = id;

    public RepositoryName Repository { get; } = repository;

    public long Length => _current.State.Length;

    public Task CancelAsync(CancellationToken cancellationToken) => store.EndUploadAsync(Id, cancellationToken);

    private sealed record Snapshot(S3UploadState State, string ETag);
}
