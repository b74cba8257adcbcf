namespace U7s.S3;

/// <summary>
/// Options of the S3 storage backend, bound from the <c>S3</c> section when <c>Storage</c> is <c>s3</c>.
/// Credentials are not options: they come from the usual AWS variables (<c>AWS_ACCESS_KEY_ID</c>,
/// <c>AWS_SECRET_ACCESS_KEY</c>, <c>AWS_SESSION_TOKEN</c>) or the SDK's other default sources.
/// </summary>
public sealed class S3StorageOptions
{
    public const string SectionName = "S3";

    /// <summary>Smallest part S3 accepts in a multipart upload (all parts but the last).</summary>
    public const int MinPartBytes = 5 * 1024 * 1024;

    /// <summary>S3 endpoint, e.g. <c>http://127.0.0.1:7480</c> (Ceph radosgw); null means AWS itself for <see cref="Region"/>.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The bucket that holds everything; created at start when missing.</summary>
    public string Bucket { get; set; } = string.Empty;

    /// <summary>Signing region; radosgw accepts any, <c>us-east-1</c> by convention. Falls back to <c>AWS_REGION</c>.</summary>
    public string? Region { get; set; }

    /// <summary>Key prefix inside the bucket, so several registries can share one bucket; empty for none.</summary>
    public string Prefix { get; set; } = string.Empty;

    /// <summary>Path-style addressing (<c>http://host/bucket/key</c>), which radosgw and most private S3 servers need.</summary>
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>
    /// Bytes per multipart part while a blob is uploaded. Each replica holds at most one part per upload in
    /// flight in memory, so this bounds memory, not blob size.
    /// </summary>
    public int PartBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Answer blob GETs with a 307 to a presigned URL, so the bytes bypass the registry. Off by default.</summary>
    public bool RedirectBlobReads { get; set; }

    /// <summary>How long a presigned blob URL stays valid.</summary>
    public TimeSpan PresignedUrlLifetime { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>
    /// The deadline of every S3 request: from sending it to the last byte of its answer, and for a blob being
    /// streamed, the longest wait for its next bytes. A request that sends a part or copies on the server gets this
    /// plus a second for each <see cref="S3Bucket.TransferBytesPerSecond"/> it moves. A request past its deadline fails as
    /// <see cref="U7s.Oci.StorageFailure.Unavailable"/> (the registry answers 503), so a store that stops answering
    /// without failing holds no client longer than this. A healthy radosgw answers in milliseconds and moves a
    /// part of <see cref="PartBytes"/> in well under a second; the default leaves room for a store under heavy load.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = DefaultRequestTimeout;

    /// <summary>The default of <see cref="RequestTimeout"/>.</summary>
    public static TimeSpan DefaultRequestTimeout => TimeSpan.FromSeconds(10);

    /// <summary>The region to sign with: <see cref="Region"/>, then <c>AWS_REGION</c>, then <c>us-east-1</c>.</summary>
    public string EffectiveRegion => !string.IsNullOrEmpty(Region) ? Region
        : Environment.GetEnvironmentVariable("AWS_REGION") is { Length: > 0 } fromEnvironment ? fromEnvironment
        : "us-east-1";

    /// <summary>Returns every problem with these options, as one-line messages.</summary>
    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Bucket))
        {
            yield return "S3:Bucket is required when Storage is s3";
        }
        else if (Bucket.Length is < 3 or > 63 || !Bucket.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.'))
        {
            yield return $"S3:Bucket '{Bucket}' is not a valid bucket name (3-63 of a-z, 0-9, '-', '.')";
        }

        if (Endpoint is not null && (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https")))
        {
            yield return $"S3:Endpoint '{Endpoint}' is not an http(s) URL";
        }

        if (Prefix.StartsWith('/') || (Prefix.Length > 0 && !Prefix.EndsWith('/')))
        {
            yield return $"S3:Prefix '{Prefix}' must be empty or end with '/' (and not start with one)";
        }

        if (PartBytes < MinPartBytes)
        {
            yield return $"S3:PartBytes {PartBytes} is below the {MinPartBytes} bytes S3 requires of a part";
        }

        if (PresignedUrlLifetime <= TimeSpan.Zero || PresignedUrlLifetime > TimeSpan.FromDays(7))
        {
            yield return "S3:PresignedUrlLifetime must be positive and at most 7 days";
        }

        if (RequestTimeout < TimeSpan.FromMilliseconds(100) || RequestTimeout > TimeSpan.FromHours(1))
        {
            yield return $"S3:RequestTimeout {RequestTimeout:c} must be between 00:00:00.1 and 01:00:00";
        }
    }
}
