namespace U7s.Cluster.Accounts;

/// <summary>One user of <c>/etc/passwd</c>: ids and home directory (a node path).</summary>
public sealed record AccountEntry(string Name, int Uid, int Gid, string Home);
