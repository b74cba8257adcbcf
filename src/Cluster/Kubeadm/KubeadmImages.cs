using System.Text.Json;

namespace U7s.Cluster.Kubeadm;

/// <summary>
/// The images <c>kubeadm config images list --kubernetes-version V --image-repository R</c> names
/// (SPEC §5.1): the four control-plane images tagged with the Kubernetes version, and pause, etcd and
/// CoreDNS with the tags kubeadm of that release pins. With a custom repository CoreDNS is
/// <c>R/coredns</c> (not <c>R/coredns/coredns</c>). The pinned tags are data (<c>kubeadm-images.json</c>,
/// v1.24 to v1.30); a release outside it needs explicit tags.
/// </summary>
public static class KubeadmImages
{
    private const string ResourceName = "U7s.Cluster.kubeadm-images.json";
    private static readonly Lazy<KubeadmImageData> Data = new(() => Load(typeof(KubeadmImages).Assembly.GetManifestResourceStream(ResourceName)
        ?? throw new InvalidOperationException($"{ResourceName} is missing from the assembly")));

    /// <summary>The release rows, oldest first.</summary>
    public static IReadOnlyList<KubeadmImageRelease> Releases => Data.Value.Releases;

    public static KubeadmImageDefaults Defaults => Data.Value.Defaults;

    /// <summary>The Kubernetes release <c>u7s kubeadm</c> installs without <c>--kubernetes-version</c>.</summary>
    public static KubernetesVersion DefaultKubernetesVersion => Version(Defaults.KubernetesVersion);

    /// <summary>The tags of the default release (the pause image of CRI-O and podman, the generated archive).</summary>
    public static ImageTags DefaultReleaseTags => DefaultTags(DefaultKubernetesVersion)!;

    /// <summary>What the table covers, one range per minor release: <c>v1.24.0-v1.24.17, …</c>.</summary>
    public static string Coverage => string.Join(", ", Releases
        .GroupBy(r => Version(r.From).Minor)
        .Select(g => $"{g.First().From}-{g.Last().Through}"));

    /// <summary>The pinned tags for <paramref name="version"/>, or null when the table does not hold that release.</summary>
    public static ImageTags? DefaultTags(KubernetesVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return Releases.FirstOrDefault(r => Covers(r, version))?.Tags;
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

    /// <summary>
    /// Every release the table holds (each patch release of each row), newest first: the names a mistyped version is
    /// compared with, so that of two equally near ones the newer is suggested (v1.27.17 finds v1.27.16, not v1.27.1).
    /// </summary>
    public static IEnumerable<string> KnownVersions => Releases.Reverse().SelectMany(r =>
    {
        var first = Version(r.From);
        return Enumerable.Range(first.Patch, Version(r.Through).Patch - first.Patch + 1).Reverse().Select(p => (first with { Patch = p }).ToString());
    });

    /// <summary>
    /// The images of an archive for <paramref name="version"/> as upstream publishes them: the seven kubeadm images from
    /// registry.k8s.io (CoreDNS under <c>coredns/coredns</c> there, plain <c>coredns</c> in the archive) and flannel with
    /// its CNI plugin from docker.io, with the flannel tags of the table's defaults. Null when the table does not hold
    /// that release.
    /// </summary>
    public static IReadOnlyList<UpstreamImage>? Upstream(KubernetesVersion version)
    {
        if (DefaultTags(version) is not { } tags)
        {
            return null;
        }

        const string K8s = "registry.k8s.io";
        var kubernetes = version.ToString();
        return
        [
            new($"{K8s}/kube-apiserver:{kubernetes}", "kube-apiserver", kubernetes),
            new($"{K8s}/kube-controller-manager:{kubernetes}", "kube-controller-manager", kubernetes),
            new($"{K8s}/kube-scheduler:{kubernetes}", "kube-scheduler", kubernetes),
            new($"{K8s}/kube-proxy:{kubernetes}", "kube-proxy", kubernetes),
            new($"{K8s}/pause:{tags.Pause}", "pause", tags.Pause),
            new($"{K8s}/etcd:{tags.Etcd}", "etcd", tags.Etcd),
            new($"{K8s}/coredns/coredns:{tags.CoreDns}", "coredns", tags.CoreDns),
            new($"docker.io/flannel/flannel:{Defaults.Flannel}", "flannel", Defaults.Flannel),
            new($"docker.io/flannel/flannel-cni-plugin:{Defaults.FlannelCniPlugin}", "flannel-cni-plugin", Defaults.FlannelCniPlugin),
        ];
    }

    /// <summary>Reads and checks the table: rows of one minor each, in order, never overlapping, with tags.</summary>
    internal static KubeadmImageData Load(Stream json)
    {
        KubeadmImageData? data;
        try
        {
            data = JsonSerializer.Deserialize(json, KubeadmJsonContext.Default.KubeadmImageData);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"kubeadm-images.json: {e.Message}", e);
        }

        if (data?.Defaults is null || data.Releases is not { Count: > 0 })
        {
            throw new InvalidDataException("kubeadm-images.json: defaults and releases are required");
        }

        KubernetesVersion? previous = null;
        foreach (var row in data.Releases)
        {
            var from = VersionOrNull(row.From);
            var through = VersionOrNull(row.Through);
            if (from is null || through is null || from.Major != through.Major || from.Minor != through.Minor || from.Patch > through.Patch)
            {
                throw new InvalidDataException($"kubeadm-images.json: {row.From}..{row.Through} is not a range of patch releases of one minor release");
            }

            if (previous is not null && Compare(from, previous) <= 0)
            {
                throw new InvalidDataException($"kubeadm-images.json: {row.From} overlaps or precedes the row before it");
            }

            if (string.IsNullOrEmpty(row.Pause) || string.IsNullOrEmpty(row.Etcd) || string.IsNullOrEmpty(row.CoreDns))
            {
                throw new InvalidDataException($"kubeadm-images.json: {row.From} lacks a pause, etcd or coreDns tag");
            }

            previous = through;
        }

        var defaultVersion = VersionOrNull(data.Defaults.KubernetesVersion);
        if (defaultVersion is null || !data.Releases.Any(r => Covers(r, defaultVersion)))
        {
            throw new InvalidDataException($"kubeadm-images.json: the default release {data.Defaults.KubernetesVersion} has no row");
        }

        return data;
    }

    private static bool Covers(KubeadmImageRelease row, KubernetesVersion version) =>
        Compare(Version(row.From), version) <= 0 && Compare(version, Version(row.Through)) <= 0;

    private static int Compare(KubernetesVersion a, KubernetesVersion b) =>
        (a.Major, a.Minor, a.Patch).CompareTo((b.Major, b.Minor, b.Patch));

    private static KubernetesVersion? VersionOrNull(string? text) => KubernetesVersion.TryParse(text, out var version) ? version : null;

    private static KubernetesVersion Version(string text) => VersionOrNull(text) ?? throw new InvalidDataException($"kubeadm-images.json: not a version: {text}");
}
