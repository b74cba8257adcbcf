namespace U7s.Registry.Status;

/// <summary>
/// The status page's opening facts besides the counts: what judges the images (the policy file and the keys it trusts),
/// which program (version, and since when it runs), and the disk that holds the data root.
/// </summary>
/// <param name="PolicyPath">The node policy the verdicts come from; null without one.</param>
/// <param name="StartedAt">When the process that built the page started.</param>
/// <param name="DataRoot">The data root; its filesystem's size and free space follow, null where they cannot be read.</param>
public sealed record RegistrySummary(
    string Version,
    DateTimeOffset StartedAt,
    string? PolicyPath,
    IReadOnlyList<TrustedKeyStatus> TrustedKeys,
    string DataRoot,
    long? DiskTotalBytes,
    long? DiskFreeBytes);
