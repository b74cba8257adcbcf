namespace U7s.Cluster;

/// <summary>
/// Names and URLs every node file refers to, bound from the <c>Cluster</c> section. The defaults are
/// the podsec deployment (SPEC §0); tests point them at 127.0.0.1 with a port, and then the registry
/// name carries the port because policy scopes and registries.d keys include it (SPEC §3.2).
/// </summary>
public sealed class ClusterOptions
{
    public const string SectionName = "Cluster";

    /// <summary>The registry host name as nodes pull it (<c>registry.local</c>); the policy scope of signers.</summary>
    public string RegistryName { get; set; } = "registry.local";

    /// <summary>The signature store host name, mapped to the same address as the registry.</summary>
    public string SigstoreName { get; set; } = "sigstore.local";

    /// <summary>Lookaside base URL written to registries.d (podsec's form, trailing slash kept).</summary>
    public string LookasideUrl { get; set; } = "http://sigstore.local:81/sigstore/";

    /// <summary>Where worker nodes download the key listing, the keys and policy.json from.</summary>
    public string KeysUrl { get; set; } = "http://sigstore.local:81/keys/";

    /// <summary>
    /// False (default): paths written inside files (policy keyPath) are node paths, for a tree that
    /// becomes <c>/</c>. True: they are host paths under the root, so the tree is used where it is
    /// (tests driving skopeo against a staging tree).
    /// </summary>
    public bool PathsIncludeRoot { get; set; }

    /// <summary>
    /// The root-owned authorization file (node path) <c>create-imagemakeruser</c> writes the signers'
    /// scopes and keys to; <c>u7s serve</c> reads push and signing rights from it (<c>Registry:Auth:Signers</c>).
    /// </summary>
    public string Signers { get; set; } = U7s.Security.Signers.SignersDocument.DefaultPath;

    /// <summary>The image platform path under the registry (<c>registry.local/k8s-c10f1</c>).</summary>
    public string Platform { get; set; } = "k8s-c10f1";

    /// <summary>The pause image tag for CRI-O and podman: kubeadm's for the default Kubernetes release.</summary>
    public string PauseTag { get; set; } = Kubeadm.KubeadmImages.DefaultReleaseTags.Pause;

    /// <summary>The image repository kubeadm and the pause image use: <c>registry.local/k8s-c10f1</c>.</summary>
    public string ImageRepository => $"{RegistryName}/{Platform}";

    /// <summary><c>registry.local/k8s-c10f1/pause:3.9</c>.</summary>
    public string PauseImage => $"{ImageRepository}/pause:{PauseTag}";
}
