using U7s.Cluster.Node;

namespace U7s.Cluster.Services;

/// <summary>
/// What <c>u7s create-services</c> installs: the executable the unit runs and the two trees <c>u7s serve</c>
/// writes (node paths), the only places the service may write, and the config file <c>u7s serve</c> reads, if any.
/// <paramref name="NativeCode"/>: the executable is the Native AOT build, which never writes code at run time,
/// so the unit may forbid writable-executable memory (a JIT build needs it).
/// </summary>
public sealed record ServiceRequest(
    string ExecutablePath, string DataRoot = NodePaths.DataRoot, string SigstoreRoot = NodePaths.SigstoreRoot, string? ConfigPath = null, bool NativeCode = false);
