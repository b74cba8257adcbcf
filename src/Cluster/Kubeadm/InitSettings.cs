namespace U7s.Cluster.Kubeadm;

/// <summary>Everything <c>u7s kubeadm init</c> puts into the InitConfiguration and ClusterConfiguration (SPEC §5.2).</summary>
public sealed record InitSettings
{
    public required string AdvertiseAddress { get; init; }

    public int BindPort { get; init; } = 6443;

    /// <summary><c>host:port</c> of the API for every node (haproxy for HA); default <c>advertise:6443</c>.</summary>
    public required string ControlPlaneEndpoint { get; init; }

    public required KubernetesVersion KubernetesVersion { get; init; }

    public required string ImageRepository { get; init; }

    public required ImageTags Tags { get; init; }

    public string PodSubnet { get; init; } = "10.244.0.0/16";

    public string ServiceSubnet { get; init; } = "10.96.0.0/12";

    public string DnsDomain { get; init; } = "cluster.local";

    public string CriSocket { get; init; } = "unix:///var/run/crio/crio.sock";

    public string? NodeName { get; init; }

    public required string Token { get; init; }

    /// <summary>Go duration (<c>24h0m0s</c>; <c>0s</c> never expires).</summary>
    public string TokenTtl { get; init; } = "24h0m0s";

    public required string CertificateKey { get; init; }

    public string EtcdDataDir { get; init; } = "/var/lib/etcd";

    public IReadOnlyList<string> IgnorePreflightErrors { get; init; } = [];
}
