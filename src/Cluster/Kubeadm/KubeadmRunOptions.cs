namespace U7s.Cluster.Kubeadm;

/// <summary>
/// How to run kubeadm: print instead of run, delete a leftover etcd data directory, kubeadm's own
/// verbosity (<c>-v N</c>), extra images the preflight must verify (flannel for init), and where the
/// join data lives.
/// </summary>
public sealed record KubeadmRunOptions
{
    public bool DryRun { get; init; }

    public bool WipeEtcdData { get; init; }

    public int? Verbosity { get; init; }

    public IReadOnlyList<string> ExtraImages { get; init; } = [];

    public string JoinDataPath { get; init; } = JoinMaterialStore.DefaultPath;
}
