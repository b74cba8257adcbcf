namespace U7s.Cluster.Kubeadm;

/// <summary>
/// One image of a Kubernetes release as published upstream (<see cref="Source"/>, e.g.
/// <c>registry.k8s.io/coredns/coredns:v1.10.1</c>) and the name it has in an archive and the local registry:
/// <c>&lt;platform&gt;/</c><see cref="Name"/><c>:</c><see cref="Tag"/> (SPEC §1.4).
/// </summary>
public sealed record UpstreamImage(string Source, string Name, string Tag);
