namespace U7s.Cluster.Node;

/// <summary>Whether this node serves the registry and the signature store, or only pulls from them.</summary>
public enum NodeRole
{
    /// <summary>Holds <c>/var/sigstore</c> (keys, signatures) and runs <c>u7s serve</c>.</summary>
    Registry,

    /// <summary>Any other node: downloads the keys and policy.json from the signature store.</summary>
    Node,
}
