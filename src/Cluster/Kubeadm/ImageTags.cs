namespace U7s.Cluster.Kubeadm;

/// <summary>The tags of the images kubeadm does not version with Kubernetes itself.</summary>
public sealed record ImageTags(string Pause, string Etcd, string CoreDns);
