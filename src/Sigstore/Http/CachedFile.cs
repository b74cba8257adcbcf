namespace U7s.Sigstore.Http;

/// <summary>A file of <see cref="ServedFileCache"/>: its bytes, its modification time, and when the tree last let it through (a timestamp).</summary>
internal sealed record CachedFile(byte[] Content, DateTimeOffset LastModified, long CheckedAt);
