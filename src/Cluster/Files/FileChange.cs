namespace U7s.Cluster.Files;

/// <summary>
/// The outcome of one node-file write. For dated files <see cref="DatedName"/> is the file the live
/// symlink now points to and <see cref="BackupName"/> the name a displaced regular file was copied to.
/// </summary>
public sealed record FileChange(string NodePath, FileChangeKind Kind, string? DatedName = null, string? BackupName = null)
{
    public bool Changed => Kind != FileChangeKind.Unchanged;

    public override string ToString() => Kind switch
    {
        FileChangeKind.Unchanged => $"{NodePath}: unchanged",
        _ when DatedName is not null => $"{NodePath}: {Kind.ToString().ToLowerInvariant()} -> {DatedName}" + (BackupName is null ? string.Empty : $" (previous file kept as {BackupName})"),
        _ => $"{NodePath}: {Kind.ToString().ToLowerInvariant()}",
    };
}
