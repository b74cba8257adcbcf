namespace U7s.Cluster.Kubeadm;

/// <summary>
/// What the kubeadm preflight checks: the images that must exist and verify, this node's advertise
/// address (must differ from the registry IP), and the etcd data directory when this node runs etcd.
/// </summary>
public sealed record PreflightRequest(
    IReadOnlyList<string> Images,
    string PauseImage,
    string? AdvertiseAddress,
    string? EtcdDataDir,
    bool WipeEtcdData);
