namespace U7s.Oci;

/// <summary>
/// The error codes of the distribution spec
/// (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes).
/// <see cref="OciErrorCodes"/> maps each to its wire name and HTTP status.
/// </summary>
public enum OciErrorCode
{
    BlobUnknown,
    BlobUploadInvalid,
    BlobUploadUnknown,
    DigestInvalid,
    ManifestBlobUnknown,
    ManifestInvalid,
    ManifestUnknown,
    NameInvalid,
    NameUnknown,
    SizeInvalid,
    Unauthorized,
    Denied,
    Unsupported,
    TooManyRequests,
    RangeInvalid,
    ManifestTooLarge,
    PaginationNumberInvalid,

    /// <summary>The storage has no room (or no quota) left for the write; not the client's fault, and not a bug.</summary>
    StorageFull,

    /// <summary>The store did not answer in time or could not be reached; the client may retry (on another replica).</summary>
    Unavailable,
}
