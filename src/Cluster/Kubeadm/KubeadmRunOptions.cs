namespace U7s.Cluster.Kubeadm;

/// <summary>
/// How to run kubeadm: how far to go (<see cref="KubeadmMode"/>), delete a leftover etcd data directory, kubeadm's own
/// verbosity (<c>-v N</c>), flannel (required images and the manifest applied after init), and where the
/// join data lives.
/// </summary>
public sealed record KubeadmRunOptions
{
    public KubeadmMode Mode { get; init; }

    public bool WipeEtcdData { get; init; }

    public int? Verbosity { get; init; }

    /// <summary>Flannel to require in the preflight and apply after init; null: no CNI is installed by U7s.</summary>
    public FlannelImages? Flannel { get; init; }

    public string JoinDataPath { get; init; } = JoinMaterialStore.DefaultPath;
}
