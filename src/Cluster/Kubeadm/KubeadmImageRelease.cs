namespace U7s.Cluster.Kubeadm;

/// <summary>
/// One row of <c>kubeadm-images.json</c>: the patch releases <see cref="From"/> through
/// <see cref="Through"/> of one minor release, whose kubeadm names the same pause, etcd and CoreDNS tags.
/// </summary>
public sealed record KubeadmImageRelease(string From, string Through, string Pause, string Etcd, string CoreDns)
{
    public ImageTags Tags => new(Pause, Etcd, CoreDns);
}
