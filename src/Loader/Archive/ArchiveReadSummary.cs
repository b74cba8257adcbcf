namespace U7s.Loader.Archive;

/// <summary>What one pass over an archive saw besides the layout entries. TopLevelNames: First path components of every entry (to name what was there instead).</summary>
internal sealed record ArchiveReadSummary(bool ArchitectureFound, IReadOnlyCollection<string> TopLevelNames, long ExpandedBytes);
