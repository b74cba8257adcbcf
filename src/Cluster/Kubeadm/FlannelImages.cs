namespace U7s.Cluster.Kubeadm;

/// <summary>The two flannel images of the local registry (the daemon and its CNI plugin installer).</summary>
public sealed record FlannelImages(string Flannel, string CniPlugin);
