using U7s.Oci;

namespace U7s.Registry.Gc;

/// <summary>What a collection found and freed (or, in a dry run, would free).</summary>
public sealed record GcReport(
    int LiveManifests,
    int LiveBlobs,
    IReadOnlyList<(string Repository, Digest Digest)> DeletedManifests,
    IReadOnlyList<(Digest Digest, long Size)> DeletedBlobs,
    int SparedByGracePeriod,
    bool DryRun)
{
    public long FreedBytes => DeletedBlobs.Sum(b => b.Size);
}
