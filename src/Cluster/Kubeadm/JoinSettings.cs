namespace U7s.Cluster.Kubeadm;

/// <summary>Everything <c>u7s kubeadm join</c> puts into the JoinConfiguration (SPEC §5.2).</summary>
public sealed record JoinSettings
{
    public required string ApiServerEndpoint { get; init; }

    public required string Token { get; init; }

    public required string CaCertHash { get; init; }

    public string CriSocket { get; init; } = "unix:///var/run/crio/crio.sock";

    public string? NodeName { get; init; }

    /// <summary>True for a control-plane join: then <see cref="AdvertiseAddress"/> and <see cref="CertificateKey"/> are required.</summary>
    public bool ControlPlane { get; init; }

    public string? AdvertiseAddress { get; init; }

    public int BindPort { get; init; } = 6443;

    public string? CertificateKey { get; init; }

    public IReadOnlyList<string> IgnorePreflightErrors { get; init; } = [];
}
