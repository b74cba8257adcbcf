namespace U7s.Cluster.Node;

/// <summary>What adding a signer key to a policy scope did.</summary>
public enum SignerChange
{
    /// <summary>The key was already trusted for the scope: nothing changed.</summary>
    AlreadyTrusted,

    /// <summary>The scope was new: a <c>signedBy</c> with <c>keyPath</c> was written.</summary>
    ScopeCreated,

    /// <summary>The scope already had other signer keys; the key was added to <c>keyPaths</c> beside them.</summary>
    AddedBesideOthers,
}
