using U7s.Cluster.Kubeadm;

namespace U7s.Cluster.Tests.Kubeadm;

public sealed class KubeadmConfigRendererTests
{
    private const string Key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string Hash = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    internal static InitSettings Init() => new()
    {
        AdvertiseAddress = "192.168.122.80",
        ControlPlaneEndpoint = "192.168.122.90:8443",
        KubernetesVersion = new KubernetesVersion(1, 26, 3),
        ImageRepository = "registry.local/k8s-c10f1",
        Tags = KubeadmImages.DefaultTags(new KubernetesVersion(1, 26, 3))!,
        Token = "abcdef.0123456789abcdef",
        CertificateKey = Key,
    };

    [Fact]
    public void RenderInit_Spec52_ExactYaml()
    {
        var yaml = KubeadmConfigRenderer.RenderInit(Init());

        Assert.Equal("""
            apiVersion: kubeadm.k8s.io/v1beta3
            kind: InitConfiguration
            bootstrapTokens:
            - token: abcdef.0123456789abcdef
              ttl: 24h0m0s
              usages:
              - signing
              - authentication
              groups:
              - system:bootstrappers:kubeadm:default-node-token
            certificateKey: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
            localAPIEndpoint:
              advertiseAddress: 192.168.122.80
              bindPort: 6443
            nodeRegistration:
              criSocket: unix:///var/run/crio/crio.sock
              imagePullPolicy: IfNotPresent
            ---
            apiVersion: kubeadm.k8s.io/v1beta3
            kind: ClusterConfiguration
            kubernetesVersion: v1.26.3
            clusterName: kubernetes
            imageRepository: registry.local/k8s-c10f1
            controlPlaneEndpoint: 192.168.122.90:8443
            dns:
              imageRepository: registry.local/k8s-c10f1
              imageTag: v1.9.3
            etcd:
              local:
                imageRepository: registry.local/k8s-c10f1
                imageTag: 3.5.6-0
                dataDir: /var/lib/etcd
            networking:
              serviceSubnet: 10.96.0.0/12
              podSubnet: 10.244.0.0/16
              dnsDomain: cluster.local
            apiServer:
              timeoutForControlPlane: 4m0s
            controllerManager:
              extraArgs:
                allocate-node-cidrs: "true"
                cluster-cidr: 10.244.0.0/16
                service-cluster-ip-range: 10.96.0.0/12

            """, yaml);
    }

    [Fact]
    public void RenderInit_ReadsBackStrictly()
    {
        var documents = KubeadmConfigReader.Read(KubeadmConfigRenderer.RenderInit(Init() with { NodeName = "master01", IgnorePreflightErrors = ["Swap"] }));

        Assert.Equal("master01", documents.Init!.NodeRegistration!.Name);
        Assert.Equal(["Swap"], documents.Init.NodeRegistration.IgnorePreflightErrors!);
        Assert.Equal("true", documents.Cluster!.ControllerManager!.ExtraArgs!["allocate-node-cidrs"]);
        Assert.Equal("registry.local/k8s-c10f1", documents.Cluster.Dns!.ImageRepository);
    }

    [Fact]
    public void RenderJoin_ControlPlane_ExactYaml()
    {
        var yaml = KubeadmConfigRenderer.RenderJoin(new JoinSettings
        {
            ApiServerEndpoint = "192.168.122.90:8443",
            Token = "abcdef.0123456789abcdef",
            CaCertHash = Hash,
            ControlPlane = true,
            AdvertiseAddress = "192.168.122.81",
            CertificateKey = Key,
        });

        Assert.Equal($"""
            apiVersion: kubeadm.k8s.io/v1beta3
            kind: JoinConfiguration
            discovery:
              bootstrapToken:
                token: abcdef.0123456789abcdef
                apiServerEndpoint: 192.168.122.90:8443
                caCertHashes:
                - {Hash}
              timeout: 5m0s
            nodeRegistration:
              criSocket: unix:///var/run/crio/crio.sock
              imagePullPolicy: IfNotPresent
            controlPlane:
              localAPIEndpoint:
                advertiseAddress: 192.168.122.81
                bindPort: 6443
              certificateKey: {Key}

            """, yaml);
    }

    [Fact]
    public void RenderJoin_Worker_HasNoControlPlane()
    {
        var documents = KubeadmConfigReader.Read(KubeadmConfigRenderer.RenderJoin(new JoinSettings
        {
            ApiServerEndpoint = "192.168.122.90:8443",
            Token = "abcdef.0123456789abcdef",
            CaCertHash = Hash,
        }));

        Assert.Null(documents.Join!.ControlPlane);
        Assert.Equal([Hash], documents.Join.Discovery!.BootstrapToken!.CaCertHashes!);
    }

    [Theory]
    [InlineData("kind: InitConfiguration\napiVersion: kubeadm.k8s.io/v1beta3\nbogusField: 1\n", "bogusField")]
    [InlineData("kind: InitConfiguration\napiVersion: kubeadm.k8s.io/v1beta3\nnodeRegistration:\n  criSocket: unix:///x\n  kubeletExtraArg: {}\n", "kubeletExtraArg")]
    [InlineData("kind: InitConfiguration\napiVersion: kubeadm.k8s.io/v1beta4\n", "apiVersion must be kubeadm.k8s.io/v1beta3")]
    [InlineData("kind: KubeletConfiguration\napiVersion: kubeadm.k8s.io/v1beta3\n", "unexpected or repeated kind KubeletConfiguration")]
    [InlineData("kind: InitConfiguration\napiVersion: kubeadm.k8s.io/v1beta3\nbootstrapTokens:\n- token: ABCDEF.0123456789abcdef\n", "bootstrap token does not match")]
    [InlineData("kind: InitConfiguration\napiVersion: kubeadm.k8s.io/v1beta3\ncertificateKey: abc\n", "certificateKey must be 64 hex digits")]
    [InlineData("kind: ClusterConfiguration\napiVersion: kubeadm.k8s.io/v1beta3\ncontrollerManager:\n  extraArgs:\n    allocate-node-cidrs: true\n", "allocate-node-cidrs must be a quoted string")]
    [InlineData("kind: JoinConfiguration\napiVersion: kubeadm.k8s.io/v1beta3\ndiscovery:\n  bootstrapToken:\n    token: abcdef.0123456789abcdef\n    apiServerEndpoint: 10.0.0.1:6443\n    caCertHashes: [\"md5:00\"]\n", "caCertHashes must hold")]
    [InlineData("kind: JoinConfiguration\napiVersion: kubeadm.k8s.io/v1beta3\ndiscovery:\n  bootstrapToken:\n    token: abcdef.0123456789abcdef\n    apiServerEndpoint: 10.0.0.1:6443\n    unsafeSkipCAVerification: true\ncontrolPlane:\n  certificateKey: xyz\n", "controlPlane.certificateKey")]
    [InlineData("kind: InitConfiguration\napiVersion: kubeadm.k8s.io/v1beta3\nlocalAPIEndpoint:\n  advertiseAddress: 1.2.3\n", "advertiseAddress is not an IP address")]
    public void Read_InvalidConfig_Rejected(string yaml, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => KubeadmConfigReader.Read(yaml));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Images_V1263_MatchKubeadmList()
    {
        var version = new KubernetesVersion(1, 26, 3);

        Assert.Equal(
            [
                "registry.local/k8s-c10f1/kube-apiserver:v1.26.3",
                "registry.local/k8s-c10f1/kube-controller-manager:v1.26.3",
                "registry.local/k8s-c10f1/kube-scheduler:v1.26.3",
                "registry.local/k8s-c10f1/kube-proxy:v1.26.3",
                "registry.local/k8s-c10f1/pause:3.9",
                "registry.local/k8s-c10f1/etcd:3.5.6-0",
                "registry.local/k8s-c10f1/coredns:v1.9.3",
            ],
            KubeadmImages.Required("registry.local/k8s-c10f1", version, KubeadmImages.DefaultTags(version)!));
    }

    [Theory]
    [InlineData("abcdef.0123456789abcdef", true)]
    [InlineData("abcdef0123456789abcdef", false)]
    [InlineData("abcde.0123456789abcdef", false)]
    [InlineData("abcdeF.0123456789abcdef", false)]
    [InlineData("abcdef.0123456789abcdeg", true)]
    [InlineData("abcdef.0123456789abcde", false)]
    public void Token_Grammar(string token, bool valid) => Assert.Equal(valid, JoinSecrets.IsToken(token));

    [Fact]
    public void NewSecrets_MatchTheirGrammars()
    {
        Assert.True(JoinSecrets.IsToken(JoinSecrets.NewToken()));
        Assert.True(JoinSecrets.IsCertificateKey(JoinSecrets.NewCertificateKey()));
        Assert.NotEqual(JoinSecrets.NewCertificateKey(), JoinSecrets.NewCertificateKey());
    }
}
