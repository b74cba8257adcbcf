namespace U7s.Cluster.Haproxy;

/// <summary>One <c>u7s serve</c> replica behind haproxy: its name, address and its two ports (registry, signature store).</summary>
public sealed record RegistryReplica(string Name, string Address, int RegistryPort, int SigstorePort);
