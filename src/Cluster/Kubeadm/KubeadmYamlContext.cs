using YamlDotNet.Serialization;

namespace U7s.Cluster.Kubeadm;

/// <summary>
/// The static type inspector and object factory YamlDotNet's generator writes for the kubeadm types,
/// so reading and writing them needs no reflection (the AOT build has none to offer).
/// </summary>
[YamlStaticContext]
[YamlSerializable(typeof(V1Beta3.InitConfiguration))]
[YamlSerializable(typeof(V1Beta3.ClusterConfiguration))]
[YamlSerializable(typeof(V1Beta3.JoinConfiguration))]
[YamlSerializable(typeof(V1Beta3.BootstrapToken))]
[YamlSerializable(typeof(V1Beta3.ApiEndpoint))]
[YamlSerializable(typeof(V1Beta3.NodeRegistration))]
[YamlSerializable(typeof(V1Beta3.Taint))]
[YamlSerializable(typeof(V1Beta3.Patches))]
[YamlSerializable(typeof(V1Beta3.Dns))]
[YamlSerializable(typeof(V1Beta3.Etcd))]
[YamlSerializable(typeof(V1Beta3.LocalEtcd))]
[YamlSerializable(typeof(V1Beta3.ExternalEtcd))]
[YamlSerializable(typeof(V1Beta3.Networking))]
[YamlSerializable(typeof(V1Beta3.ApiServer))]
[YamlSerializable(typeof(V1Beta3.ControlPlaneComponent))]
[YamlSerializable(typeof(V1Beta3.HostPathMount))]
[YamlSerializable(typeof(V1Beta3.Discovery))]
[YamlSerializable(typeof(V1Beta3.BootstrapTokenDiscovery))]
[YamlSerializable(typeof(V1Beta3.FileDiscovery))]
[YamlSerializable(typeof(V1Beta3.JoinControlPlane))]
public partial class KubeadmYamlContext : StaticContext;
