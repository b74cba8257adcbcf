namespace U7s.Cluster.Kubeadm;

/// <summary>
/// The image set U7s builds for when nothing else is asked: the Kubernetes release of the k8s-c10f1
/// platform (SPEC §1.4) and the flannel tags of its archive. <c>u7s kubeadm</c>'s flag defaults and the
/// archive generator both read these, so the images a generated archive holds are the ones the
/// preflight requires.
/// </summary>
public sealed record KubeadmImageDefaults(string KubernetesVersion, string Flannel, string FlannelCniPlugin);
