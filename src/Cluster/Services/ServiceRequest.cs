using U7s.Cluster.Node;

namespace U7s.Cluster.Services;

/// <summary>
/// What <c>u7s create-services</c> installs: the executable the unit runs and the two trees <c>u7s serve</c>
/// writes (node paths), the only places the service may write, and the config file <c>u7s serve</c> reads, if any.
/// </summary>
public sealed record ServiceRequest(string ExecutablePath, string DataRoot = NodePaths.DataRoot, string SigstoreRoot = NodePaths.SigstoreRoot, string? ConfigPath = null);
