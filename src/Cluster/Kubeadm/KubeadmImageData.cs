namespace U7s.Cluster.Kubeadm;

/// <summary>The embedded <c>kubeadm-images.json</c>: where the tags come from, the defaults, and the release rows.</summary>
internal sealed record KubeadmImageData(string Source, KubeadmImageDefaults Defaults, IReadOnlyList<KubeadmImageRelease> Releases);
