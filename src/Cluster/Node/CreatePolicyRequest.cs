namespace U7s.Cluster.Node;

/// <summary>Input of <c>u7s create-policy</c>: the registry IP and this node's role.</summary>
public sealed record CreatePolicyRequest(string RegistryAddress, NodeRole Role);
