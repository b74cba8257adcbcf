namespace U7s.Cluster.Kubeadm;

/// <summary>The documents of one kubeadm configuration file, as read back strictly.</summary>
internal sealed class KubeadmDocuments
{
    public V1Beta3.InitConfiguration? Init { get; set; }

    public V1Beta3.ClusterConfiguration? Cluster { get; set; }

    public V1Beta3.JoinConfiguration? Join { get; set; }
}
