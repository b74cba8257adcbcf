using Amazon.S3.Model;

namespace U7s.S3;

/// <summary>
/// An object being read: its length, time and ETag, and its bytes in <see cref="Body"/>, a stream whose every read
/// has the bucket's deadline and fails as a <see cref="U7s.Oci.StorageException"/>. The reader disposes it.
/// </summary>
public sealed class S3Download : IDisposable
{
    private readonly GetObjectResponse _response;

    internal S3Download(S3Bucket bucket, string key, GetObjectResponse response)
    {
        _response = response;
        Length = response.ContentLength;
        ETag = S3Bucket.Unquote(response.ETag);
        LastModified = S3Bucket.ToOffset(response.LastModified);
        Body = new S3BodyStream(bucket, key, response.ResponseStream, Length);
    }

    /// <summary>Bytes in this answer (the range asked for, or the whole object).</summary>
    public long Length { get; }

    /// <summary>The object's ETag, unquoted.</summary>
    public string ETag { get; }

    public DateTimeOffset LastModified { get; }

    /// <summary>The bytes, read asynchronously only.</summary>
    public Stream Body { get; }

    public void Dispose()
    {
        Body.Dispose();
        _response.Dispose();
    }
}
