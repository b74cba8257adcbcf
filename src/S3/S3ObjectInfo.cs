namespace U7s.S3;

/// <summary>One stored object: its key relative to the store's prefix, size, modification time and ETag (unquoted).</summary>
public sealed record S3ObjectInfo(string Key, long Length, DateTimeOffset LastModified, string ETag);
