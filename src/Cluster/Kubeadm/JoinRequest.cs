namespace U7s.Cluster.Kubeadm;

/// <summary>
/// <c>u7s kubeadm join</c> input. Missing endpoint, token, hash or certificate key come from the join
/// data file; <see cref="Images"/> are what this node will run (checked by the preflight).
/// </summary>
public sealed record JoinRequest
{
    public string? ApiServerEndpoint { get; init; }

    public string? Token { get; init; }

    public string? CaCertHash { get; init; }

    public bool ControlPlane { get; init; }

    public string? CertificateKey { get; init; }

    public string? AdvertiseAddress { get; init; }

    public int BindPort { get; init; } = 6443;

    public string CriSocket { get; init; } = "unix:///var/run/crio/crio.sock";

    public string? NodeName { get; init; }

    public IReadOnlyList<string> IgnorePreflightErrors { get; init; } = [];

    public required IReadOnlyList<string> Images { get; init; }

    public required string PauseImage { get; init; }

    public string EtcdDataDir { get; init; } = "/var/lib/etcd";
}
