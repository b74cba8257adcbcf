namespace U7s.Cluster.Files;

/// <summary>The numeric owner and group a node file or directory is given (ids of the root's own account files).</summary>
public readonly record struct FileOwner(int Uid, int Gid);
