using System.Net;
using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;
using U7s.Oci;

namespace U7s.S3;

/// <summary>
/// Multipart uploads: parts (uploaded, or copied server-side from stored objects) become one object only when
/// the upload is completed. A gone upload (completed, aborted, or expired by a lifecycle rule) is null or false;
/// a failure of the store is a <see cref="StorageException"/>.
/// </summary>
public sealed partial class S3Bucket
{
    /// <summary>Largest object one CopyObject (and one UploadPartCopy) can copy.</summary>
    public const long MaxCopyBytes = 5L * 1024 * 1024 * 1024;

    /// <summary>Most parts one multipart upload may have.</summary>
    public const int MaxParts = 10_000;

    /// <summary>Starts a multipart upload that will complete into <paramref name="key"/>; returns its upload id.</summary>
    public async Task<string> StartMultipartAsync(string key, CancellationToken cancellationToken)
    {
        var response = await CallAsync(
            "start multipart upload",
            key,
            token => Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = Name, Key = FullKey(key) }, token),
            cancellationToken);
        return response.UploadId;
    }

    /// <summary>
    /// Uploads <paramref name="length"/> bytes of <paramref name="content"/> as part <paramref name="partNumber"/>
    /// (uploading a number again replaces that part); returns the part's ETag, or null when the upload is gone.
    /// </summary>
    public Task<string?> UploadPartOrNullAsync(string key, string uploadId, int partNumber, Stream content, long length, CancellationToken cancellationToken)
    {
        var request = new UploadPartRequest
        {
            BucketName = Name,
            Key = FullKey(key),
            UploadId = uploadId,
            PartNumber = partNumber,
            InputStream = content,
            PartSize = length,
            UseChunkEncoding = false,
        };
        return CallAsync<string?>($"upload part {partNumber} of", key, async token =>
        {
            try
            {
                var response = await Client.UploadPartAsync(request, token);
                return Unquote(response.ETag);
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }, cancellationToken, TransferTimeout(length));
    }

    /// <summary>
    /// Copies <paramref name="length"/> bytes of <paramref name="sourceKey"/> from <paramref name="offset"/> into
    /// part <paramref name="partNumber"/> on the server; returns the part's ETag, or null when the upload or the
    /// source is gone.
    /// </summary>
    public Task<string?> CopyPartOrNullAsync(string sourceKey, long offset, long length, string key, string uploadId, int partNumber, CancellationToken cancellationToken)
    {
        var request = new CopyPartRequest
        {
            SourceBucket = Name,
            SourceKey = FullKey(sourceKey),
            DestinationBucket = Name,
            DestinationKey = FullKey(key),
            UploadId = uploadId,
            PartNumber = partNumber,
            FirstByte = offset,
            LastByte = offset + length - 1,
        };
        return CallAsync<string?>(
            $"copy {sourceKey} into part {partNumber} of",
            key,
            async token =>
            {
                try
                {
                    var response = await Client.CopyPartAsync(request, token);
                    return Unquote(response.ETag);
                }
                catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
                {
                    return null;
                }
            },
            cancellationToken,
            TransferTimeout(length));
    }

    /// <summary>
    /// Joins the named parts, in number order, into the upload's object of <paramref name="length"/> bytes (parts
    /// not named are dropped); false when the upload is gone. Its deadline is a copy's: AWS assembles big objects slowly.
    /// </summary>
    public Task<bool> CompleteMultipartAsync(string key, string uploadId, IEnumerable<(int Number, string ETag)> parts, long length, CancellationToken cancellationToken)
    {
        var request = new CompleteMultipartUploadRequest
        {
            BucketName = Name,
            Key = FullKey(key),
            UploadId = uploadId,
            PartETags = parts.OrderBy(p => p.Number).Select(p => new PartETag { PartNumber = p.Number, ETag = p.ETag }).ToList(),
        };
        return CallAsync(
            "complete multipart upload",
            key,
            async token =>
            {
                try
                {
                    await Client.CompleteMultipartUploadAsync(request, token);
                    return true;
                }
                catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
                {
                    return false;
                }
            },
            cancellationToken,
            TransferTimeout(length));
    }

    /// <summary>Discards the upload and its parts; an upload that is gone already is not an error.</summary>
    public Task AbortMultipartAsync(string key, string uploadId, CancellationToken cancellationToken) =>
        CallAsync("abort multipart upload", key, async token =>
        {
            try
            {
                await Client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Name, Key = FullKey(key), UploadId = uploadId }, token);
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
            }
        }, cancellationToken);

    /// <summary>The parts uploaded so far, in number order; null when the upload is gone.</summary>
    public async Task<IReadOnlyList<S3PartInfo>?> ListPartsOrNullAsync(string key, string uploadId, CancellationToken cancellationToken)
    {
        var parts = new List<S3PartInfo>();
        var request = new ListPartsRequest { BucketName = Name, Key = FullKey(key), UploadId = uploadId };
        while (true)
        {
            var response = await CallAsync<ListPartsResponse?>("list parts of", key, async token =>
            {
                try
                {
                    return await Client.ListPartsAsync(request, token);
                }
                catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
                {
                    return null;
                }
            }, cancellationToken);
            if (response is null)
            {
                return null;
            }

            parts.AddRange((response.Parts ?? []).Select(p => new S3PartInfo(p.PartNumber ?? 0, p.Size ?? 0, ToOffset(p.LastModified), Unquote(p.ETag))));
            if (response.IsTruncated != true)
            {
                return parts;
            }

            request.PartNumberMarker = response.NextPartNumberMarker?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The multipart uploads in progress whose keys start with <paramref name="keyPrefix"/>.</summary>
    public async IAsyncEnumerable<S3MultipartUploadInfo> ListMultipartUploadsAsync(string keyPrefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListMultipartUploadsRequest { BucketName = Name, Prefix = FullKey(keyPrefix) };
        while (true)
        {
            var response = await CallAsync("list multipart uploads", keyPrefix, token => Client.ListMultipartUploadsAsync(request, token), cancellationToken);
            foreach (var u in response.MultipartUploads ?? [])
            {
                yield return new S3MultipartUploadInfo(u.Key[Prefix.Length..], u.UploadId, ToOffset(u.Initiated));
            }

            if (response.IsTruncated != true)
            {
                yield break;
            }

            request.KeyMarker = response.NextKeyMarker;
            request.UploadIdMarker = response.NextUploadIdMarker;
        }
    }
}
