using U7s.Oci;

namespace U7s.S3.Registry;

/// <summary>
/// Where the registry's content lives in the bucket (keys relative to the configured prefix):
/// <code>
/// registry/
/// ├── blobs/
/// │   └── sha256/
/// │       ├── &lt;hex&gt;            content; written only once verified, never changed
/// │       └── &lt;hex&gt;.used       when it was last used (ISO 8601, the registry's clock): gc's grace period
/// └── uploads/
///     └── &lt;id&gt;/
///         ├── state            the session (JSON); every append commits by replacing it (If-Match)
///         ├── tail-&lt;n&gt;         the bytes after the last full part, less than a part
///         └── data-&lt;n&gt;         what the session's multipart upload completes into: the whole upload
/// </code>
/// The repository area (<c>registry/repositories/</c>) and the gc lock (<c>registry/locks/</c>) belong to the
/// metadata store. Objects are never renamed: S3 has no rename, so every write that must not be seen half
/// done goes to a fresh key and is published by replacing the small object that names it.
/// </summary>
internal static class S3RegistryKeys
{
    public const string Blobs = "registry/blobs/";

    public const string Uploads = "registry/uploads/";

    private const string UsedSuffix = ".used";

    public static string Blob(Digest digest) => $"{Blobs}{digest.Algorithm}/{digest.Hex}";

    public static string BlobUsed(Digest digest) => Blob(digest) + UsedSuffix;

    /// <summary>The digest whose content <paramref name="key"/> holds; false for markers and strangers.</summary>
    public static bool TryParseBlob(string key, out Digest digest)
    {
        digest = default;
        if (!key.StartsWith(Blobs, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = key[Blobs.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && Digest.TryParse($"{rest[..slash]}:{rest[(slash + 1)..]}", out digest);
    }

    /// <summary>Everything of one upload session starts with this.</summary>
    public static string Upload(string id) => $"{Uploads}{id}/";

    public static string UploadState(string id) => Upload(id) + "state";

    public static string NewUploadTail(string id) => $"{Upload(id)}tail-{Guid.NewGuid():N}";

    public static string NewUploadData(string id) => $"{Upload(id)}data-{Guid.NewGuid():N}";

    /// <summary>The session a key under <see cref="Uploads"/> belongs to, or null.</summary>
    public static string? UploadIdOf(string key)
    {
        if (!key.StartsWith(Uploads, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = key[Uploads.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 ? rest[..slash] : null;
    }

    /// <summary>Upload ids are 32 lower-case hex characters: safe in URLs and keys.</summary>
    public static bool IsUploadId(string? id) =>
        id is { Length: 32 } && id.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
