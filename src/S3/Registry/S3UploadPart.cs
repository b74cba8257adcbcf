namespace U7s.S3.Registry;

/// <summary>One part of an upload's multipart upload, as recorded in its state: the only parts that count.</summary>
internal sealed record S3UploadPart(int Number, string ETag, long Length);
