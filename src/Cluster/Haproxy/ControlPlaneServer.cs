namespace U7s.Cluster.Haproxy;

/// <summary>One control-plane node behind haproxy: server name and address (IPv4 or DNS name).</summary>
public sealed record ControlPlaneServer(string Name, string Address);
