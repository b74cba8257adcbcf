using U7s.S3;

namespace U7s.Testing;

/// <summary>
/// A private corner of the real S3 server the tests run against (Ceph radosgw started by
/// <c>tools/s3-server.sh run</c>, which exports <c>S3_ENDPOINT</c> and the AWS variables): one shared
/// test bucket, a fresh key prefix per instance, everything under it deleted on dispose.
/// </summary>
public sealed class S3TestStore : IAsyncDisposable
{
    public const string TestBucket = "u7s-tests";

    private S3TestStore(S3StorageOptions options)
    {
        Options = options;
        Bucket = S3Bucket.Open(options);
    }

    /// <summary>The S3 endpoint of the test server, or null when none is configured.</summary>
    public static string? Endpoint => Environment.GetEnvironmentVariable("S3_ENDPOINT") is { Length: > 0 } e ? e : null;

    /// <summary>
    /// Why S3 tests cannot run here, or null when they can. Under CI a missing server is a failure,
    /// not a skip, so this is null there and the tests fail loudly instead.
    /// </summary>
    public static string? SkipReason =>
        Endpoint is not null || Environment.GetEnvironmentVariable("CI") is { Length: > 0 }
            ? null
            : "S3_ENDPOINT is not set (run the tests under tools/s3-server.sh run)";

    /// <summary>Options a server would be configured with to use this corner of the bucket.</summary>
    public S3StorageOptions Options { get; }

    public S3Bucket Bucket { get; }

    /// <summary>Environment variables that point a <c>u7s serve</c> child at this store.</summary>
    public IReadOnlyDictionary<string, string> ServeEnvironment => new Dictionary<string, string>
    {
        ["U7S_STORAGE"] = "s3",
        ["U7S_S3__ENDPOINT"] = Options.Endpoint!,
        ["U7S_S3__BUCKET"] = Options.Bucket,
        ["U7S_S3__PREFIX"] = Options.Prefix,
    };

    /// <param name="endpoint">Another gateway of the same server (<see cref="S3Gateway"/>); <see cref="Endpoint"/> by default.</param>
    public static async Task<S3TestStore> CreateAsync(int partBytes = S3StorageOptions.MinPartBytes, string? endpoint = null)
    {
        endpoint ??= Endpoint ?? throw new InvalidOperationException("S3_ENDPOINT is not set: the S3 tests need a real S3 server (tools/s3-server.sh run dotnet test)");
        var options = new S3StorageOptions
        {
            Endpoint = endpoint,
            Bucket = TestBucket,
            Prefix = $"t-{Guid.NewGuid():N}/",
            PartBytes = partBytes,
        };
        var store = new S3TestStore(options);
        await store.Bucket.EnsureExistsAsync(default);
        return store;
    }

    /// <summary>A second client over the same prefix: what another replica sees.</summary>
    public S3Bucket OpenReplica() => S3Bucket.Open(Options);

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Best effort: the test server keeps objects in RAM, so give the space back.
            var keys = new List<string>();
            await foreach (var o in Bucket.ListAsync(string.Empty, default))
            {
                keys.Add(o.Key);
            }

            foreach (var batch in keys.Chunk(500))
            {
                await Bucket.Client.DeleteObjectsAsync(new Amazon.S3.Model.DeleteObjectsRequest
                {
                    BucketName = Bucket.Name,
                    Objects = batch.Select(k => new Amazon.S3.Model.KeyVersion { Key = Bucket.FullKey(k) }).ToList(),
                });
            }

            var uploads = await Bucket.Client.ListMultipartUploadsAsync(new Amazon.S3.Model.ListMultipartUploadsRequest { BucketName = Bucket.Name, Prefix = Bucket.Prefix });
            foreach (var u in uploads.MultipartUploads ?? [])
            {
                await Bucket.Client.AbortMultipartUploadAsync(Bucket.Name, u.Key, u.UploadId);
            }
        }
        catch (Amazon.Runtime.AmazonServiceException)
        {
        }
        catch (HttpRequestException)
        {
        }

        Bucket.Client.Dispose();
    }
}
