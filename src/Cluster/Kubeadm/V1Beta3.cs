using YamlDotNet.Serialization;

namespace U7s.Cluster.Kubeadm;

/// <summary>
/// The kubeadm <c>kubeadm.k8s.io/v1beta3</c> types U7s writes and reads back (Kubernetes 1.26 cannot
/// read v1beta4), with their full field sets so a strict parse rejects any field kubeadm would not
/// know. Names follow the Go JSON tags (<c>localAPIEndpoint</c>, <c>certSANs</c>…); every member is
/// nullable so only what is set is written.
/// See https://kubernetes.io/docs/reference/config-api/kubeadm-config.v1beta3/.
/// </summary>
internal static class V1Beta3
{
    public const string ApiVersion = "kubeadm.k8s.io/v1beta3";

    internal sealed class InitConfiguration
    {
        public string? ApiVersion { get; set; }

        public string? Kind { get; set; }

        public List<BootstrapToken>? BootstrapTokens { get; set; }

        public string? CertificateKey { get; set; }

        [YamlMember(Alias = "localAPIEndpoint")]
        public ApiEndpoint? LocalApiEndpoint { get; set; }

        public NodeRegistration? NodeRegistration { get; set; }

        public List<string>? SkipPhases { get; set; }

        public Patches? Patches { get; set; }
    }

    internal sealed class ClusterConfiguration
    {
        public string? ApiVersion { get; set; }

        public string? Kind { get; set; }

        public string? KubernetesVersion { get; set; }

        public string? ClusterName { get; set; }

        public string? ImageRepository { get; set; }

        public string? ControlPlaneEndpoint { get; set; }

        public Dns? Dns { get; set; }

        public Etcd? Etcd { get; set; }

        public Networking? Networking { get; set; }

        public ApiServer? ApiServer { get; set; }

        public ControlPlaneComponent? ControllerManager { get; set; }

        public ControlPlaneComponent? Scheduler { get; set; }

        public string? CertificatesDir { get; set; }

        public Dictionary<string, bool>? FeatureGates { get; set; }
    }

    internal sealed class JoinConfiguration
    {
        public string? ApiVersion { get; set; }

        public string? Kind { get; set; }

        public string? CaCertPath { get; set; }

        public Discovery? Discovery { get; set; }

        public NodeRegistration? NodeRegistration { get; set; }

        public JoinControlPlane? ControlPlane { get; set; }

        public List<string>? SkipPhases { get; set; }

        public Patches? Patches { get; set; }
    }

    internal sealed class BootstrapToken
    {
        public string? Token { get; set; }

        public string? Description { get; set; }

        public string? Ttl { get; set; }

        public string? Expires { get; set; }

        public List<string>? Usages { get; set; }

        public List<string>? Groups { get; set; }
    }

    internal sealed class ApiEndpoint
    {
        public string? AdvertiseAddress { get; set; }

        public int? BindPort { get; set; }
    }

    internal sealed class NodeRegistration
    {
        public string? Name { get; set; }

        public string? CriSocket { get; set; }

        public List<Taint>? Taints { get; set; }

        public Dictionary<string, string>? KubeletExtraArgs { get; set; }

        public List<string>? IgnorePreflightErrors { get; set; }

        public string? ImagePullPolicy { get; set; }
    }

    internal sealed class Taint
    {
        public string? Key { get; set; }

        public string? Value { get; set; }

        public string? Effect { get; set; }

        public string? TimeAdded { get; set; }
    }

    internal sealed class Patches
    {
        public string? Directory { get; set; }
    }

    internal sealed class Dns
    {
        public string? ImageRepository { get; set; }

        public string? ImageTag { get; set; }
    }

    internal sealed class Etcd
    {
        public LocalEtcd? Local { get; set; }

        public ExternalEtcd? External { get; set; }
    }

    internal sealed class LocalEtcd
    {
        public string? ImageRepository { get; set; }

        public string? ImageTag { get; set; }

        public string? DataDir { get; set; }

        public Dictionary<string, string>? ExtraArgs { get; set; }

        [YamlMember(Alias = "serverCertSANs")]
        public List<string>? ServerCertSans { get; set; }

        [YamlMember(Alias = "peerCertSANs")]
        public List<string>? PeerCertSans { get; set; }
    }

    internal sealed class ExternalEtcd
    {
        public List<string>? Endpoints { get; set; }

        public string? CaFile { get; set; }

        public string? CertFile { get; set; }

        public string? KeyFile { get; set; }
    }

    internal sealed class Networking
    {
        public string? ServiceSubnet { get; set; }

        public string? PodSubnet { get; set; }

        public string? DnsDomain { get; set; }
    }

    internal sealed class ApiServer
    {
        public Dictionary<string, string>? ExtraArgs { get; set; }

        public List<HostPathMount>? ExtraVolumes { get; set; }

        [YamlMember(Alias = "certSANs")]
        public List<string>? CertSans { get; set; }

        public string? TimeoutForControlPlane { get; set; }
    }

    internal sealed class ControlPlaneComponent
    {
        public Dictionary<string, string>? ExtraArgs { get; set; }

        public List<HostPathMount>? ExtraVolumes { get; set; }
    }

    internal sealed class HostPathMount
    {
        public string? Name { get; set; }

        public string? HostPath { get; set; }

        public string? MountPath { get; set; }

        public bool? ReadOnly { get; set; }

        public string? PathType { get; set; }
    }

    internal sealed class Discovery
    {
        public BootstrapTokenDiscovery? BootstrapToken { get; set; }

        public FileDiscovery? File { get; set; }

        public string? TlsBootstrapToken { get; set; }

        public string? Timeout { get; set; }
    }

    internal sealed class BootstrapTokenDiscovery
    {
        public string? Token { get; set; }

        public string? ApiServerEndpoint { get; set; }

        public List<string>? CaCertHashes { get; set; }

        [YamlMember(Alias = "unsafeSkipCAVerification")]
        public bool? UnsafeSkipCaVerification { get; set; }
    }

    internal sealed class FileDiscovery
    {
        public string? KubeConfigPath { get; set; }
    }

    internal sealed class JoinControlPlane
    {
        [YamlMember(Alias = "localAPIEndpoint")]
        public ApiEndpoint? LocalApiEndpoint { get; set; }

        public string? CertificateKey { get; set; }
    }
}
