namespace U7s.S3;

/// <summary>One uploaded part of a multipart upload: number, size, upload time and ETag (unquoted).</summary>
public sealed record S3PartInfo(int Number, long Length, DateTimeOffset LastModified, string ETag);
