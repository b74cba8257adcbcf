using System.Net;
using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;
using U7s.Oci;

namespace U7s.S3;

/// <summary>
/// The bucket and key prefix a backend works in, with the few S3 calls the backends need and one
/// mapping of S3's errors: a missing key is null or false, a failed precondition is false, a failure of the store
/// (or a request past its deadline) is a <see cref="StorageException"/>. Keys passed in and returned are
/// relative to <see cref="Prefix"/>.
/// </summary>
public sealed partial class S3Bucket : IDisposable
{
    /// <param name="requestTimeout">The deadline of each request; <see cref="S3StorageOptions.DefaultRequestTimeout"/> when null.</param>
    public S3Bucket(IAmazonS3 client, string name, string prefix, TimeSpan? requestTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(prefix);
        Client = client;
        Name = name;
        Prefix = prefix;
        RequestTimeout = requestTimeout ?? S3StorageOptions.DefaultRequestTimeout;
    }

    /// <summary>The SDK client underneath, for tests and tools that clean up; the product goes through the methods.</summary>
    public IAmazonS3 Client { get; }

    /// <summary>A new client (settings from <see cref="S3ClientFactory"/>) over the options' bucket and prefix.</summary>
    public static S3Bucket Open(S3StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new S3Bucket(S3ClientFactory.Create(options), options.Bucket, options.Prefix, options.RequestTimeout);
    }

    public string Name { get; }

    /// <summary>Prepended to every key; empty or ending in '/'.</summary>
    public string Prefix { get; }

    /// <summary>The full object key of <paramref name="key"/>.</summary>
    public string FullKey(string key) => Prefix + key;

    /// <summary>Creates the bucket unless it exists already (owned by these credentials).</summary>
    public Task EnsureExistsAsync(CancellationToken cancellationToken) =>
        CallAsync("create bucket", string.Empty, async token =>
        {
            try
            {
                await Client.PutBucketAsync(new PutBucketRequest { BucketName = Name }, token);
            }
            catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
            {
                // Created earlier, or by another replica starting at the same time.
            }
        }, cancellationToken);

    /// <summary>
    /// One cheap request that only a store that answers can answer (HEAD of the bucket), under <paramref name="timeout"/>:
    /// the readiness probe. Throws <see cref="StorageException"/> when the store does not answer or refuses.
    /// </summary>
    public Task ProbeAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        CallAsync("HEAD bucket", string.Empty, token => Client.HeadBucketAsync(new HeadBucketRequest { BucketName = Name }, token), cancellationToken, timeout);

    /// <summary>Size, time and ETag of the object, or null when it does not exist.</summary>
    public Task<S3ObjectInfo?> HeadOrNullAsync(string key, CancellationToken cancellationToken) =>
        CallAsync("HEAD", key, async token =>
        {
            try
            {
                var response = await Client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Name, Key = FullKey(key) }, token);
                return new S3ObjectInfo(key, response.ContentLength, ToOffset(response.LastModified), Unquote(response.ETag));
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }, cancellationToken);

    /// <summary>
    /// Opens the object (or <paramref name="length"/> bytes of it from <paramref name="offset"/>) for
    /// streaming; null when it does not exist. The caller disposes the download.
    /// </summary>
    public Task<S3Download?> GetOrNullAsync(string key, long offset, long? length, CancellationToken cancellationToken)
    {
        var request = new GetObjectRequest { BucketName = Name, Key = FullKey(key) };
        if (offset > 0 || length is not null)
        {
            request.ByteRange = length is { } n ? new ByteRange(offset, offset + n - 1) : new ByteRange($"bytes={offset}-");
        }

        return CallAsync("GET", key, async token =>
        {
            try
            {
                return new S3Download(this, key, await Client.GetObjectAsync(request, token));
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }, cancellationToken);
    }

    /// <summary>The whole object in memory (small objects only: state, links, signatures); null when it does not exist.</summary>
    public async Task<byte[]?> ReadAllOrNullAsync(string key, int maxBytes, CancellationToken cancellationToken) =>
        (await ReadAllWithETagOrNullAsync(key, maxBytes, cancellationToken))?.Content;

    /// <summary>Writes (or replaces) a small object; returns its new ETag (unquoted).</summary>
    public async Task<string> PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        (await PutCoreAsync(key, content, ifNoneMatch: null, ifMatch: null, cancellationToken))!; // Without a condition it never answers null.

    /// <summary>
    /// Writes the object only if no object has the key (<c>If-None-Match: *</c>, atomic on radosgw and AWS);
    /// false when one exists already.
    /// </summary>
    public async Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        await CreateOrNullAsync(key, content, cancellationToken) is not null;

    /// <summary>Replaces the object only if its ETag is still <paramref name="etag"/>; false when it changed or is gone.</summary>
    public async Task<bool> PutIfMatchAsync(string key, ReadOnlyMemory<byte> content, string etag, CancellationToken cancellationToken) =>
        await ReplaceOrNullAsync(key, content, etag, cancellationToken) is not null;

    /// <summary>Streams <paramref name="content"/> of known <paramref name="length"/> (at most a part) into one object.</summary>
    public Task PutStreamAsync(string key, Stream content, long length, CancellationToken cancellationToken)
    {
        var request = new PutObjectRequest { BucketName = Name, Key = FullKey(key), InputStream = content, AutoCloseStream = false, UseChunkEncoding = false };
        request.Headers.ContentLength = length;
        return CallAsync("PUT", key, token => Client.PutObjectAsync(request, token), cancellationToken, TransferTimeout(length));
    }

    /// <summary>Deletes the object; S3 deletes are idempotent, so a missing key is not an error.</summary>
    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        CallAsync("DELETE", key, token => Client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Name, Key = FullKey(key) }, token), cancellationToken);

    /// <summary>
    /// Deletes what nobody needs any more, waiting for it at most <paramref name="wait"/>: past that the delete goes on
    /// without the caller, so cleaning up after a failure does not add a second deadline to it. A failure is ignored:
    /// the object stays for whatever cleans up later.
    /// </summary>
    public async Task DeleteQuietlyAsync(string key, TimeSpan wait)
    {
        var delete = DeleteIgnoringFailureAsync(key);
        await Task.WhenAny(delete, Task.Delay(wait));
    }

    /// <summary>Server-side copy of one object of <paramref name="length"/> bytes onto another key (up to 5 GiB).</summary>
    public Task CopyAsync(string sourceKey, string destinationKey, long length, CancellationToken cancellationToken) =>
        CallAsync(
            $"COPY {sourceKey} to",
            destinationKey,
            token => Client.CopyObjectAsync(
                new CopyObjectRequest { SourceBucket = Name, SourceKey = FullKey(sourceKey), DestinationBucket = Name, DestinationKey = FullKey(destinationKey) },
                token),
            cancellationToken,
            TransferTimeout(length));

    /// <summary>Every object under <paramref name="keyPrefix"/>, at any depth, in key order.</summary>
    public async IAsyncEnumerable<S3ObjectInfo> ListAsync(string keyPrefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = Name, Prefix = FullKey(keyPrefix), MaxKeys = 1000 };
        do
        {
            var response = await CallAsync("LIST", keyPrefix, token => Client.ListObjectsV2Async(request, token), cancellationToken);
            foreach (var o in response.S3Objects ?? [])
            {
                yield return new S3ObjectInfo(o.Key[Prefix.Length..], o.Size ?? 0, ToOffset(o.LastModified), Unquote(o.ETag));
            }

            request.ContinuationToken = response.IsTruncated == true ? response.NextContinuationToken : null;
        }
        while (request.ContinuationToken is not null);
    }

    /// <summary>True when at least one object lies under <paramref name="keyPrefix"/> (one list request for one key).</summary>
    public async Task<bool> AnyUnderAsync(string keyPrefix, CancellationToken cancellationToken)
    {
        var response = await CallAsync(
            "LIST",
            keyPrefix,
            token => Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Name, Prefix = FullKey(keyPrefix), MaxKeys = 1 }, token),
            cancellationToken);
        return response.S3Objects is { Count: > 0 };
    }

    /// <summary>
    /// One level under <paramref name="keyPrefix"/> (which should end in '/'), like a directory listing:
    /// the names of the "subdirectories" (without their trailing '/') and the objects directly inside.
    /// </summary>
    public async Task<(IReadOnlyList<string> Directories, IReadOnlyList<S3ObjectInfo> Objects)> ListDirectoryAsync(string keyPrefix, CancellationToken cancellationToken)
    {
        var directories = new List<string>();
        var objects = new List<S3ObjectInfo>();
        var full = FullKey(keyPrefix);
        var request = new ListObjectsV2Request { BucketName = Name, Prefix = full, Delimiter = "/", MaxKeys = 1000 };
        do
        {
            var response = await CallAsync("LIST", keyPrefix, token => Client.ListObjectsV2Async(request, token), cancellationToken);
            directories.AddRange((response.CommonPrefixes ?? []).Select(p => p[full.Length..].TrimEnd('/')));
            objects.AddRange((response.S3Objects ?? []).Select(o => new S3ObjectInfo(o.Key[Prefix.Length..], o.Size ?? 0, ToOffset(o.LastModified), Unquote(o.ETag))));
            request.ContinuationToken = response.IsTruncated == true ? response.NextContinuationToken : null;
        }
        while (request.ContinuationToken is not null);
        return (directories, objects);
    }

    /// <summary>
    /// A URL that lets its holder GET the object without credentials until <paramref name="expires"/>; over plain
    /// HTTP when <paramref name="http"/> (the SDK signs https URLs unless told otherwise).
    /// </summary>
    public Task<string> PresignGetAsync(string key, DateTimeOffset expires, string contentType, bool http, CancellationToken cancellationToken)
    {
        var request = new GetPreSignedUrlRequest
        {
            BucketName = Name,
            Key = FullKey(key),
            Verb = HttpVerb.GET,
            Expires = expires.UtcDateTime,
            ResponseHeaderOverrides = { ContentType = contentType },
        };
        if (http)
        {
            request.Protocol = Protocol.HTTP;
        }

        return CallAsync("presign GET", key, _ => Client.GetPreSignedURLAsync(request), cancellationToken);
    }

    public void Dispose() => Client.Dispose();

    /// <summary>One read of a download's body, under the request deadline; see <see cref="S3BodyStream"/>.</summary>
    internal Task<int> ReadBodyAsync(string key, Stream body, Memory<byte> buffer, CancellationToken cancellationToken) =>
        CallAsync("GET", key, token => body.ReadAsync(buffer, token).AsTask(), cancellationToken);

    internal static string Unquote(string? etag) => (etag ?? string.Empty).Trim('"');

    internal static DateTimeOffset ToOffset(DateTime? time) => time is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t.ToUniversalTime(), DateTimeKind.Utc)) : DateTimeOffset.MinValue;

    private async Task DeleteIgnoringFailureAsync(string key)
    {
        try
        {
            await DeleteAsync(key, CancellationToken.None);
        }
        catch (StorageException)
        {
        }
    }

    /// <summary>The new object's ETag (unquoted), or null when the precondition failed.</summary>
    private Task<string?> PutCoreAsync(string key, ReadOnlyMemory<byte> content, string? ifNoneMatch, string? ifMatch, CancellationToken cancellationToken) =>
        CallAsync<string?>(ifNoneMatch is not null ? "PUT if absent" : ifMatch is not null ? "PUT if unchanged" : "PUT", key, async token =>
        {
            using var stream = new MemoryStream(content.ToArray(), writable: false);
            var request = new PutObjectRequest { BucketName = Name, Key = FullKey(key), InputStream = stream, UseChunkEncoding = false };
            if (ifNoneMatch is not null)
            {
                request.IfNoneMatch = ifNoneMatch;
            }

            if (ifMatch is not null)
            {
                // radosgw 16.2 compares If-Match against the bare ETag, without quotes; AWS accepts both forms.
                request.IfMatch = Unquote(ifMatch);
            }

            try
            {
                var response = await Client.PutObjectAsync(request, token);
                return Unquote(response.ETag);
            }
            catch (AmazonS3Exception e) when ((ifNoneMatch ?? ifMatch) is not null
                && (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict || (ifMatch is not null && e.StatusCode == HttpStatusCode.NotFound)))
            {
                // 412: the precondition failed. 409 ConditionalRequestConflict: AWS's answer to a racing conditional write.
                return null;
            }
        }, cancellationToken);
}
