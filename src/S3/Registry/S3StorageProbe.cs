using U7s.Registry.Storage;

namespace U7s.S3.Registry;

/// <summary>The S3 backend's readiness probe: one HEAD of the bucket, which only a store that answers can answer.</summary>
internal sealed class S3StorageProbe(S3Bucket bucket) : IStorageProbe
{
    public Task ProbeAsync(TimeSpan timeout, CancellationToken cancellationToken) => bucket.ProbeAsync(timeout, cancellationToken);
}
