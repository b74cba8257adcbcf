namespace U7s.Cluster.Node;

/// <summary>
/// Input of <c>u7s create-policy</c>: the registry IP and this node's role. On a node that downloads its trust,
/// <paramref name="AcceptNewKeys"/> accepts a change of which keys are trusted for which images, and
/// <paramref name="TrustedFingerprints"/> (when given) are the only keys it may trust.
/// </summary>
public sealed record CreatePolicyRequest(string RegistryAddress, NodeRole Role, bool AcceptNewKeys = false, IReadOnlyList<string>? TrustedFingerprints = null);
