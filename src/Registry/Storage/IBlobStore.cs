using U7s.Oci;

namespace U7s.Registry.Storage;

/// <summary>
/// Digest-keyed, repository-agnostic content storage. Content is immutable once visible: a blob
/// becomes readable only after its bytes were verified against its digest and made durable. Every member MUST
/// report a failure of the store itself (including a request past its deadline) as an <see cref="IOException"/>:
/// a remote store as a <see cref="StorageException"/>, which also says whether the store did not answer
/// (<see cref="StorageFailure.Unavailable"/>: the registry answers 503) or refused; never a client library's own type.
/// </summary>
public interface IBlobStore
{
    /// <summary>The size of the blob, or null when it is not stored.</summary>
    Task<long?> GetSizeOrNullAsync(Digest digest, CancellationToken cancellationToken);

    /// <summary>
    /// Opens the blob for reading; null when it is not stored. The caller disposes the content and reads it
    /// asynchronously (a remote store may have no synchronous reads). The stream MUST be seekable before its
    /// first read (ranged reads start there) and MUST NOT hold the blob in memory.
    /// </summary>
    Task<BlobContent?> OpenReadOrNullAsync(Digest digest, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="content"/> (a manifest) under <paramref name="digest"/>. MUST fail with
    /// <see cref="OciErrorCode.DigestInvalid"/> if the bytes do not hash to the digest; storing the same
    /// content again is <see cref="BlobCommitStatus.AlreadyExists"/>.
    /// </summary>
    Task<BlobCommitStatus> PutAsync(Digest digest, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Starts a resumable upload owned by <paramref name="repository"/>.</summary>
    Task<IBlobUpload> StartUploadAsync(RepositoryName repository, CancellationToken cancellationToken);

    /// <summary>
    /// The upload with this id, or null when it is unknown, malformed, finished, cancelled or expired.
    /// Upload state is kept by the store, not the process, so a resumed server still knows it.
    /// </summary>
    Task<IBlobUpload?> GetUploadOrNullAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>When the blob was last written or used (<see cref="TouchAsync"/>); null when it is not stored.</summary>
    Task<DateTimeOffset?> GetLastUsedOrNullAsync(Digest digest, CancellationToken cancellationToken);

    /// <summary>
    /// Marks the blob as used now. Garbage collection spares blobs used within its grace period, so a
    /// manifest push that references an old, unreferenced blob never loses it to a collection in flight.
    /// </summary>
    Task TouchAsync(Digest digest, CancellationToken cancellationToken);

    /// <summary>Removes the content; false when it was not stored.</summary>
    Task<bool> DeleteAsync(Digest digest, CancellationToken cancellationToken);

    /// <summary>Every stored digest, in no particular order.</summary>
    IAsyncEnumerable<Digest> ListAsync(CancellationToken cancellationToken);

    /// <summary>Removes uploads idle for longer than <paramref name="maxIdle"/>; returns how many.</summary>
    Task<int> PurgeUploadsAsync(TimeSpan maxIdle, CancellationToken cancellationToken);
}
