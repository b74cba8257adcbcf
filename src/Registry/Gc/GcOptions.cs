namespace U7s.Registry.Gc;

/// <summary>How a collection runs.</summary>
/// <param name="DryRun">Report what would be freed; delete nothing.</param>
/// <param name="GracePeriod">Blobs written or used more recently than this are never collected, referenced or not.</param>
/// <param name="DeleteUntagged">Also remove manifests no tag reaches (directly, as an index child, or as a referrer of a live manifest).</param>
public sealed record GcOptions(bool DryRun, TimeSpan GracePeriod, bool DeleteUntagged);
