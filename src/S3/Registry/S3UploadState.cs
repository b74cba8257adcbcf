using System.Text.Json.Serialization;

namespace U7s.S3.Registry;

/// <summary>
/// An upload session as stored in <c>registry/uploads/&lt;id&gt;/state</c>, the commit point of every append.
/// The bytes received so far are the recorded <see cref="Parts"/> of the multipart upload, in order, followed
/// by the tail object. Parts uploaded but not recorded (an append that failed) do not count; the next append
/// uploads over them.
/// </summary>
internal sealed record S3UploadState
{
    public required string Repository { get; init; }

    /// <summary>Bytes received so far.</summary>
    public required long Length { get; init; }

    /// <summary>Last activity, by the registry's clock; expiry compares against it.</summary>
    public required DateTimeOffset Updated { get; init; }

    /// <summary>
    /// Lower-case hex SHA-256 of the <see cref="Length"/> bytes, when the replica that wrote this state hashed
    /// them all; null when no single replica saw them all, and then a commit reads them back.
    /// </summary>
    public string? Sha256 { get; init; }

    /// <summary>The key the multipart upload completes into; null until the first full part.</summary>
    public string? MultipartKey { get; init; }

    public string? MultipartId { get; init; }

    public IReadOnlyList<S3UploadPart> Parts { get; init; } = [];

    /// <summary>
    /// The object with the bytes after the parts; null when there are none. Shorter than a part, except once a
    /// commit has assembled the upload into one object (then there are no parts).
    /// </summary>
    public string? TailKey { get; init; }

    [JsonIgnore]
    public long TailLength => Length - Parts.Sum(p => p.Length);
}
