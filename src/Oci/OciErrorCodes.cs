namespace U7s.Oci;

/// <summary>The one table from error code to wire name, HTTP status and default message.</summary>
public static class OciErrorCodes
{
    public static string Name(OciErrorCode code) => code switch
    {
        OciErrorCode.BlobUnknown => "BLOB_UNKNOWN",
        OciErrorCode.BlobUploadInvalid => "BLOB_UPLOAD_INVALID",
        OciErrorCode.BlobUploadUnknown => "BLOB_UPLOAD_UNKNOWN",
        OciErrorCode.DigestInvalid => "DIGEST_INVALID",
        OciErrorCode.ManifestBlobUnknown => "MANIFEST_BLOB_UNKNOWN",
        OciErrorCode.ManifestInvalid => "MANIFEST_INVALID",
        OciErrorCode.ManifestUnknown => "MANIFEST_UNKNOWN",
        OciErrorCode.NameInvalid => "NAME_INVALID",
        OciErrorCode.NameUnknown => "NAME_UNKNOWN",
        OciErrorCode.SizeInvalid => "SIZE_INVALID",
        OciErrorCode.Unauthorized => "UNAUTHORIZED",
        OciErrorCode.Denied => "DENIED",
        OciErrorCode.Unsupported => "UNSUPPORTED",
        OciErrorCode.TooManyRequests => "TOOMANYREQUESTS",
        // Not one of the spec's codes: a range error still needs a code inside the envelope.
        OciErrorCode.RangeInvalid => "RANGE_INVALID",
        OciErrorCode.ManifestTooLarge => "MANIFEST_INVALID",
        OciErrorCode.PaginationNumberInvalid => "PAGINATION_NUMBER_INVALID",
        // The spec has no code for it; DENIED is the one clients print as a refusal, with the message below.
        OciErrorCode.StorageFull => "DENIED",
        // Not in the spec's table either; distribution answers the same code and status.
        OciErrorCode.Unavailable => "UNAVAILABLE",
        _ => throw new ArgumentOutOfRangeException(nameof(code)),
    };

    public static int Status(OciErrorCode code) => code switch
    {
        OciErrorCode.BlobUnknown => 404,
        OciErrorCode.BlobUploadInvalid => 400,
        OciErrorCode.BlobUploadUnknown => 404,
        OciErrorCode.DigestInvalid => 400,
        OciErrorCode.ManifestBlobUnknown => 400,
        OciErrorCode.ManifestInvalid => 400,
        OciErrorCode.ManifestUnknown => 404,
        OciErrorCode.NameInvalid => 400,
        OciErrorCode.NameUnknown => 404,
        OciErrorCode.SizeInvalid => 400,
        OciErrorCode.Unauthorized => 401,
        OciErrorCode.Denied => 403,
        OciErrorCode.Unsupported => 405,
        OciErrorCode.TooManyRequests => 429,
        OciErrorCode.RangeInvalid => 416,
        OciErrorCode.ManifestTooLarge => 413,
        OciErrorCode.PaginationNumberInvalid => 400,
        OciErrorCode.StorageFull => 507,
        OciErrorCode.Unavailable => 503,
        _ => throw new ArgumentOutOfRangeException(nameof(code)),
    };

    public static string Message(OciErrorCode code) => code switch
    {
        OciErrorCode.BlobUnknown => "blob unknown to registry",
        OciErrorCode.BlobUploadInvalid => "blob upload invalid",
        OciErrorCode.BlobUploadUnknown => "blob upload unknown to registry",
        OciErrorCode.DigestInvalid => "provided digest did not match uploaded content",
        OciErrorCode.ManifestBlobUnknown => "manifest references a manifest or blob unknown to registry",
        OciErrorCode.ManifestInvalid => "manifest invalid",
        OciErrorCode.ManifestUnknown => "manifest unknown to registry",
        OciErrorCode.NameInvalid => "invalid repository name",
        OciErrorCode.NameUnknown => "repository name not known to registry",
        OciErrorCode.SizeInvalid => "provided length did not match content length",
        OciErrorCode.Unauthorized => "authentication required",
        OciErrorCode.Denied => "requested access to the resource is denied",
        OciErrorCode.Unsupported => "the operation is unsupported",
        OciErrorCode.TooManyRequests => "too many requests",
        OciErrorCode.RangeInvalid => "requested range not satisfiable",
        OciErrorCode.ManifestTooLarge => "manifest too large",
        OciErrorCode.PaginationNumberInvalid => "invalid number of results requested",
        OciErrorCode.StorageFull => "registry storage is full",
        OciErrorCode.Unavailable => "service unavailable",
        _ => throw new ArgumentOutOfRangeException(nameof(code)),
    };
}
