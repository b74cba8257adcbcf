using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace U7s.Cluster.Kubeadm;

/// <summary>
/// Renders the kubeadm v1beta3 configuration of SPEC §5.2 with YamlDotNet (strings that would read as
/// booleans or numbers are quoted: <c>allocate-node-cidrs: "true"</c>) and checks the result with the
/// strict reader before returning it.
/// </summary>
public static class KubeadmConfigRenderer
{
    private static readonly ISerializer Serializer = new StaticSerializerBuilder(new KubeadmYamlContext())
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
        .WithQuotingNecessaryStrings()
        .DisableAliases()
        .Build();

    public static string RenderInit(InitSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var init = new V1Beta3.InitConfiguration
        {
            ApiVersion = V1Beta3.ApiVersion,
            Kind = "InitConfiguration",
            BootstrapTokens =
            [
                new()
                {
                    Token = settings.Token,
                    Ttl = settings.TokenTtl,
                    Usages = ["signing", "authentication"],
                    Groups = ["system:bootstrappers:kubeadm:default-node-token"],
                },
            ],
            CertificateKey = settings.CertificateKey,
            LocalApiEndpoint = new() { AdvertiseAddress = settings.AdvertiseAddress, BindPort = settings.BindPort },
            NodeRegistration = Registration(settings.CriSocket, settings.NodeName, settings.IgnorePreflightErrors),
        };
        var cluster = new V1Beta3.ClusterConfiguration
        {
            ApiVersion = V1Beta3.ApiVersion,
            Kind = "ClusterConfiguration",
            KubernetesVersion = settings.KubernetesVersion.ToString(),
            ClusterName = "kubernetes",
            ImageRepository = settings.ImageRepository,
            ControlPlaneEndpoint = settings.ControlPlaneEndpoint,
            Dns = new() { ImageRepository = settings.ImageRepository, ImageTag = settings.Tags.CoreDns },
            Etcd = new()
            {
                Local = new() { ImageRepository = settings.ImageRepository, ImageTag = settings.Tags.Etcd, DataDir = settings.EtcdDataDir },
            },
            Networking = new() { DnsDomain = settings.DnsDomain, PodSubnet = settings.PodSubnet, ServiceSubnet = settings.ServiceSubnet },
            ApiServer = new() { TimeoutForControlPlane = "4m0s" },
            ControllerManager = new()
            {
                ExtraArgs = new()
                {
                    ["allocate-node-cidrs"] = "true",
                    ["cluster-cidr"] = settings.PodSubnet,
                    ["service-cluster-ip-range"] = settings.ServiceSubnet,
                },
            },
        };
        var yaml = Serializer.Serialize(init) + "---\n" + Serializer.Serialize(cluster);
        KubeadmConfigReader.Validate(yaml);
        return yaml;
    }

    public static string RenderJoin(JoinSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var join = new V1Beta3.JoinConfiguration
        {
            ApiVersion = V1Beta3.ApiVersion,
            Kind = "JoinConfiguration",
            Discovery = new()
            {
                BootstrapToken = new()
                {
                    ApiServerEndpoint = settings.ApiServerEndpoint,
                    Token = settings.Token,
                    CaCertHashes = [settings.CaCertHash],
                },
                Timeout = "5m0s",
            },
            NodeRegistration = Registration(settings.CriSocket, settings.NodeName, settings.IgnorePreflightErrors),
            ControlPlane = settings.ControlPlane
                ? new()
                {
                    LocalApiEndpoint = new() { AdvertiseAddress = settings.AdvertiseAddress, BindPort = settings.BindPort },
                    CertificateKey = settings.CertificateKey,
                }
                : null,
        };
        var yaml = Serializer.Serialize(join);
        KubeadmConfigReader.Validate(yaml);
        return yaml;
    }

    private static V1Beta3.NodeRegistration Registration(string criSocket, string? name, IReadOnlyList<string> ignore) => new()
    {
        Name = name,
        CriSocket = criSocket,
        ImagePullPolicy = "IfNotPresent",
        IgnorePreflightErrors = ignore.Count == 0 ? null : [.. ignore],
    };
}
