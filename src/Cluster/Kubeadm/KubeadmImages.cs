namespace U7s.Cluster.Kubeadm;

/// <summary>
/// The images <c>kubeadm config images list --kubernetes-version V --image-repository R</c> names
/// (SPEC §5.1): the four control-plane images tagged with the Kubernetes version, and pause, etcd and
/// CoreDNS with tags kubeadm pins per minor release. With a custom repository CoreDNS is
/// <c>R/coredns</c> (not <c>R/coredns/coredns</c>). Minor releases outside the table need explicit tags.
/// </summary>
public static class KubeadmImages
{
    // kubeadm v1.26: constants.PauseVersion, SupportedEtcdVersion[26], CoreDNSVersion.
    private static readonly Dictionary<int, ImageTags> ByMinor = new()
    {
        [26] = new ImageTags("3.9", "3.5.6-0", "v1.9.3"),
    };

    /// <summary>The pinned tags for <paramref name="version"/>, or null when U7s does not know that minor release.</summary>
    public static ImageTags? DefaultTags(KubernetesVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return version.Major == 1 && ByMinor.TryGetValue(version.Minor, out var tags) ? tags : null;
    }

    /// <summary>The seven references, in kubeadm's order.</summary>
    public static IReadOnlyList<string> Required(string imageRepository, KubernetesVersion version, ImageTags tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        return
        [
            $"{imageRepository}/kube-apiserver:{version}",
            $"{imageRepository}/kube-controller-manager:{version}",
            $"{imageRepository}/kube-scheduler:{version}",
            $"{imageRepository}/kube-proxy:{version}",
            $"{imageRepository}/pause:{tags.Pause}",
            $"{imageRepository}/etcd:{tags.Etcd}",
            $"{imageRepository}/coredns:{tags.CoreDns}",
        ];
    }
}
