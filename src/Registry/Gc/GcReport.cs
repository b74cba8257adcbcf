using U7s.Oci;

namespace U7s.Registry.Gc;

/// <summary>What a collection found and freed (or, in a dry run, would free).</summary>
/// <param name="SparedByGracePeriod">Unreferenced blobs kept because they were used within the grace period.</param>
/// <param name="ManifestsSparedByGracePeriod">Manifests no tag reaches, kept because they were used within the grace period.</param>
public sealed record GcReport(
    int LiveManifests,
    int LiveBlobs,
    IReadOnlyList<(string Repository, Digest Digest)> DeletedManifests,
    IReadOnlyList<(Digest Digest, long Size)> DeletedBlobs,
    int SparedByGracePeriod,
    int ManifestsSparedByGracePeriod,
    bool DryRun)
{
    public long FreedBytes => DeletedBlobs.Sum(b => b.Size);
}
