namespace U7s.S3;

/// <summary>Small objects that act as commit points: read with their ETag, replaced only if unchanged.</summary>
public sealed partial class S3Bucket
{
    /// <summary>The whole (small) object and its ETag (unquoted); null when it does not exist.</summary>
    public async Task<(byte[] Content, string ETag)?> ReadAllWithETagOrNullAsync(string key, int maxBytes, CancellationToken cancellationToken)
    {
        using var download = await GetOrNullAsync(key, 0, null, cancellationToken);
        if (download is null)
        {
            return null;
        }

        if (download.Length > maxBytes)
        {
            throw new InvalidDataException($"s3://{Name}/{FullKey(key)} is {download.Length} bytes, more than the {maxBytes} expected");
        }

        var content = new byte[download.Length];
        await download.Body.ReadExactlyAsync(content, cancellationToken);
        return (content, download.ETag);
    }

    /// <summary>Like <see cref="PutIfAbsentAsync"/>, returning the new object's ETag; null when the key exists already.</summary>
    public Task<string?> CreateOrNullAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        PutCoreAsync(key, content, ifNoneMatch: "*", ifMatch: null, cancellationToken);

    /// <summary>Like <see cref="PutIfMatchAsync"/>, returning the new object's ETag; null when the object changed or is gone.</summary>
    public Task<string?> ReplaceOrNullAsync(string key, ReadOnlyMemory<byte> content, string etag, CancellationToken cancellationToken) =>
        PutCoreAsync(key, content, ifNoneMatch: null, ifMatch: etag, cancellationToken);
}
