using U7s.Oci;

namespace U7s.Registry.Storage;

/// <summary>
/// One upload session: bytes are appended in order, then committed against the digest the client
/// names. Nothing is visible in the blob store before a successful commit.
/// </summary>
public interface IBlobUpload
{
    /// <summary>32 lower-case hex characters; safe in URLs and paths.</summary>
    string Id { get; }

    /// <summary>The repository that started the upload; only it may continue the upload.</summary>
    RepositoryName Repository { get; }

    /// <summary>Bytes received so far.</summary>
    long Length { get; }

    /// <summary>
    /// Appends everything <paramref name="source"/> yields, hashing while copying; returns the new length.
    /// Checked under the upload's own serialisation: MUST fail with <see cref="OciErrorCode.RangeInvalid"/>,
    /// before reading, when <see cref="UploadChunk.Start"/> is not the current length; MUST fail with
    /// <see cref="OciErrorCode.SizeInvalid"/> when the source yields more or fewer bytes than
    /// <see cref="UploadChunk.Length"/> (reading stops past it) or the upload would pass
    /// <see cref="UploadChunk.MaxTotal"/>. A failed append, for these or any other reason (the source failing
    /// half way), MUST leave the upload exactly as it was: same length, same bytes.
    /// </summary>
    Task<long> AppendAsync(Stream source, UploadChunk chunk, CancellationToken cancellationToken);

    /// <summary>
    /// Verifies size and digest and publishes the bytes atomically under <paramref name="expected"/>;
    /// the upload ends. MUST fail with <see cref="OciErrorCode.DigestInvalid"/> on a mismatch and then
    /// leave the upload as it was.
    /// </summary>
    Task<BlobCommitStatus> CommitAsync(Digest expected, CancellationToken cancellationToken);

    /// <summary>Discards the upload and its bytes.</summary>
    Task CancelAsync(CancellationToken cancellationToken);
}
