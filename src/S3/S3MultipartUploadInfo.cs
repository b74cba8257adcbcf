namespace U7s.S3;

/// <summary>A multipart upload in progress: the key it completes into (relative to the prefix), its id and when it began.</summary>
public sealed record S3MultipartUploadInfo(string Key, string UploadId, DateTimeOffset Initiated);
