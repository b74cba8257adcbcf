namespace U7s.Registry.Gc;

/// <summary>How a collection runs.</summary>
/// <param name="DryRun">Report what would be freed; delete nothing.</param>
/// <param name="GracePeriod">
/// Blobs and manifests written or used within this time before the collection started are never collected,
/// referenced or not. At least <see cref="MinimumGrace"/>.
/// </param>
/// <param name="DeleteUntagged">Also remove manifests no tag reaches (directly, as an index child, or as a referrer of a live manifest).</param>
public sealed record GcOptions(bool DryRun, TimeSpan GracePeriod, bool DeleteUntagged)
{
    /// <summary>
    /// The shortest grace period a collection accepts. A collection runs beside serving registries, and a
    /// client's blobs are unreferenced until it pushes the manifest that names them: the grace period is
    /// what keeps them meanwhile, so it must outlast the time a client takes from its first blob upload to
    /// its manifest (and the clock difference between replicas and a lock lease, which are far shorter).
    /// A push slower than the grace loses its earliest blobs and its manifest PUT fails with
    /// MANIFEST_BLOB_UNKNOWN; nothing acknowledged is lost, and the client pushes again.
    /// </summary>
    public static readonly TimeSpan MinimumGrace = TimeSpan.FromMinutes(10);

    /// <summary>Returns every problem with these options, as one-line messages.</summary>
    public IEnumerable<string> Validate()
    {
        if (GracePeriod < MinimumGrace)
        {
            yield return $"the grace period {GracePeriod:c} is below the minimum {MinimumGrace:c}: blobs of pushes still in flight could be collected";
        }
    }
}
