using U7s.Oci;

namespace U7s.Registry.Storage;

/// <summary>
/// Optional for an <see cref="IBlobStore"/>: content clients may fetch from the storage itself (an S3
/// presigned URL), so blob bytes bypass the registry. The GET blob handler asks a store that implements
/// it, after the repository check, and answers 307 to the URL.
/// </summary>
public interface IBlobReadRedirect
{
    /// <summary>
    /// A URL that serves exactly the blob's bytes (ranges included) for a while without further
    /// credentials, or null to serve them through the registry (redirects are off, or the blob is not stored).
    /// </summary>
    Task<Uri?> GetReadUrlOrNullAsync(Digest digest, CancellationToken cancellationToken);
}
