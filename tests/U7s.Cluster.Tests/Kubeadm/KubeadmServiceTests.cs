using System.Text.Json;
using U7s.Cluster.Files;
using U7s.Cluster.Kubeadm;
using U7s.Cluster.Node;
using U7s.Oci.Policy;
using U7s.Cluster.Tests.Support;
using U7s.Testing;

namespace U7s.Cluster.Tests.Kubeadm;

public sealed class KubeadmServiceTests : IDisposable
{
    private const string Key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string Hash = "sha256:8a1e7c6f2b5d4e3f8a1e7c6f2b5d4e3f8a1e7c6f2b5d4e3f8a1e7c6f2b5d4e3f";

    private static readonly string InitOutput = $"""
        Your Kubernetes control-plane has initialized successfully!
        [upload-certs] Using certificate key:
        {Key}

        You can now join any number of the control-plane node running the following command on each as root:

          kubeadm join 192.168.122.90:8443 --token abcdef.0123456789abcdef \
        	--discovery-token-ca-cert-hash {Hash} \
        	--control-plane --certificate-key {Key}

        Then you can join any number of worker nodes by running the following on each as root:

        kubeadm join 192.168.122.90:8443 --token abcdef.0123456789abcdef \
        	--discovery-token-ca-cert-hash {Hash}

        """;

    private static readonly FlannelImages Flannel = new("registry.local/k8s-c10f1/flannel:v0.19.2", "registry.local/k8s-c10f1/flannel-cni-plugin:v1.2.0");

    private readonly NodeFixture _node = new();
    private readonly InMemoryImageJudge _verifier = new();

    public KubeadmServiceTests()
    {
        var settings = KubeadmConfigRendererTests.Init();
        foreach (var image in KubeadmImages.Required(settings.ImageRepository, settings.KubernetesVersion, settings.Tags))
        {
            _verifier.Images[image] = InMemoryImageJudge.Accepted;
        }
    }

    public void Dispose() => _node.Dispose();

    private async Task PrepareNodeAsync()
    {
        await new CreatePolicyService(_node.Writer, _node.Accounts, new KeyFetcher(new HttpClient()), new PgpKeyInspector(), _node.Options)
            .RunAsync(new CreatePolicyRequest("192.168.122.70", NodeRole.Registry), default);
        var policy = EditablePolicy.Parse(_node.Read(NodePaths.Policy)).WithSigner("registry.local", "/var/sigstore/keys/imagemaker.pgp").Policy;
        await _node.Writer.WriteAsync(NodePaths.Policy, policy.ToJson(), FileModes.Mode0644, default);
        await _node.Writer.WriteAsync(NodePaths.IpForwardSysctl, "net.ipv4.ip_forward = 1\n", FileModes.Mode0644, default);
    }

    private void TrustFlannel()
    {
        _verifier.Images[Flannel.Flannel] = InMemoryImageJudge.Accepted;
        _verifier.Images[Flannel.CniPlugin] = InMemoryImageJudge.Accepted;
    }

    private KubeadmService Service(IKubeadmRunner kubeadm, IImageJudge? verifier = null) =>
        new(_node.Writer, new KubeadmPreflight(_node.Writer, verifier ?? _verifier, _node.Options), kubeadm, _node.Runner, _node.Time);

    [Fact]
    public async Task Init_PreflightPasses_RunsKubeadmWithConfigAndStoresJoinDataRootOnly()
    {
        await PrepareNodeAsync();
        var kubeadm = new RecordingKubeadm(InitOutput);

        var report = await Service(kubeadm).InitAsync(KubeadmConfigRendererTests.Init(), new KubeadmRunOptions { Verbosity = 5 }, default);

        var configPath = _node.Path(KubeadmService.InitConfigPath);
        Assert.Equal([["init", "--config", configPath, "--upload-certs", "-v", "5"]], kubeadm.Calls);
        Assert.Equal([KubeadmConfigRenderer.RenderInit(KubeadmConfigRendererTests.Init())], kubeadm.Configs);
        Assert.Equal(FileModes.Mode0600, _node.Mode(KubeadmService.InitConfigPath));
        Assert.Equal(FileModes.Mode0600, _node.Mode(JoinMaterialStore.DefaultPath));
        // The secrets are 0600 files; /etc/u7s itself stays readable (trusted keys, the service's config).
        Assert.Equal(FileModes.Mode0755, _node.Mode("/etc/u7s"));
        using var stored = JsonDocument.Parse(_node.Read(JoinMaterialStore.DefaultPath));
        Assert.Equal("192.168.122.90:8443", stored.RootElement.GetProperty("apiServerEndpoint").GetString());
        Assert.Equal(Hash, stored.RootElement.GetProperty("caCertHash").GetString());
        Assert.Equal(Key, stored.RootElement.GetProperty("certificateKey").GetString());
        Assert.Equal(_node.Time.GetUtcNow().AddHours(24), stored.RootElement.GetProperty("tokenExpires").GetDateTimeOffset());
        Assert.Equal(_node.Time.GetUtcNow().AddHours(2), stored.RootElement.GetProperty("certificateKeyExpires").GetDateTimeOffset());
        Assert.Contains($"worker join:        u7s kubeadm join 192.168.122.90:8443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash {Hash}", report);
        Assert.DoesNotContain(report, l => l.Contains(Key, StringComparison.Ordinal));
        Assert.Equal(7, _verifier.Judged.Count);
    }

    [Fact]
    public async Task Init_WithFlannel_AppliesManifestWithRegistryImagesAfterJoinDataIsSaved()
    {
        await PrepareNodeAsync();
        TrustFlannel();
        var before = _node.Runner.Calls.Count;

        var report = await Service(new RecordingKubeadm(InitOutput)).InitAsync(
            KubeadmConfigRendererTests.Init() with { PodSubnet = "10.50.0.0/16" }, new KubeadmRunOptions { Flannel = Flannel }, default);

        Assert.Equal(
            [$"kubectl --kubeconfig {_node.Path("/etc/kubernetes/admin.conf")} apply -f {_node.Path(KubeadmService.FlannelManifestPath)}"],
            _node.Runner.Calls.Skip(before));
        var manifest = _node.Read(KubeadmService.FlannelManifestPath);
        Assert.Contains("image: \"registry.local/k8s-c10f1/flannel-cni-plugin:v1.2.0\"", manifest, StringComparison.Ordinal);
        Assert.Equal(2, manifest.Split("image: \"registry.local/k8s-c10f1/flannel:v0.19.2\"").Length - 1);
        Assert.Contains("\"Network\": \"10.50.0.0/16\"", manifest, StringComparison.Ordinal);
        Assert.DoesNotContain("@", manifest.Split('\n').Where(l => !l.TrimStart().StartsWith('#')).Aggregate(string.Empty, (a, l) => a + l), StringComparison.Ordinal);
        Assert.Equal("flannel applied from /etc/u7s/kube-flannel.yml (next step done: kubectl --kubeconfig /etc/kubernetes/admin.conf apply -f /etc/u7s/kube-flannel.yml)", report[^1]);
    }

    [Fact]
    public async Task Init_FlannelApplyFails_SaysClusterIsUpAndWhereJoinDataIs()
    {
        await PrepareNodeAsync();
        TrustFlannel();
        _node.Runner.Failures["kubectl"] = "error: unable to recognize";

        var e = await Assert.ThrowsAsync<ClusterException>(() =>
            Service(new RecordingKubeadm(InitOutput)).InitAsync(KubeadmConfigRendererTests.Init(), new KubeadmRunOptions { Flannel = Flannel }, default));

        Assert.StartsWith("the control plane is initialized (join data in /etc/u7s/kubeadm-join.json) but flannel was not applied", e.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(_node.Path(JoinMaterialStore.DefaultPath)));
    }

    [Fact]
    public async Task Init_BareNode_RefusesWithEveryProblemAndRunsNothing()
    {
        Directory.CreateDirectory(_node.Path("/var/lib/etcd/member"));
        _verifier.Images["registry.local/k8s-c10f1/etcd:3.5.6-0"] = InMemoryImageJudge.Refused("Signature by key 0123 is not accepted");
        _verifier.Images.Remove("registry.local/k8s-c10f1/coredns:v1.9.3");
        var kubeadm = new RecordingKubeadm(InitOutput);

        var e = await Assert.ThrowsAsync<ClusterException>(() =>
            Service(kubeadm).InitAsync(KubeadmConfigRendererTests.Init(), new KubeadmRunOptions { Flannel = Flannel }, default));

        Assert.Equal(ClusterErrorKind.Refused, e.Kind);
        Assert.Equal($"""
            preflight found 9 problem(s), kubeadm was not run:
              - /etc/hosts does not map registry.local and sigstore.local: run u7s create-policy
              - /etc/containers/policy.json does not exist: run u7s create-policy
              - CRI-O pause_image is not set, expected registry.local/k8s-c10f1/pause:3.9: run u7s create-policy
              - /etc/sysctl.d/90-ipforward.conf does not set net.ipv4.ip_forward = 1
              - etcd data directory /var/lib/etcd is not empty (an earlier cluster?): pass --wipe-etcd-data to delete it
              - registry.local/k8s-c10f1/etcd:3.5.6-0: signature does not verify under /etc/containers/policy.json ({InMemoryImageJudge.SomeDigest}: Signature by key 0123 is not accepted)
              - registry.local/k8s-c10f1/coredns:v1.9.3: not in the registry
              - registry.local/k8s-c10f1/flannel:v0.19.2: not in the registry
              - registry.local/k8s-c10f1/flannel-cni-plugin:v1.2.0: not in the registry
            """, e.Message);
        Assert.Empty(kubeadm.Calls);
        Assert.False(File.Exists(_node.Path(KubeadmService.InitConfigPath)));
        Assert.True(Directory.Exists(_node.Path("/var/lib/etcd/member")));
    }

    [Fact]
    public async Task Init_AdvertiseIsRegistryAddressAndDefaultAccepts_BothReported()
    {
        await PrepareNodeAsync();
        var policy = EditablePolicy.Parse(_node.Read(NodePaths.Policy)).WithDefault("insecureAcceptAnything");
        await _node.Writer.WriteAsync(NodePaths.Policy, policy.ToJson(), FileModes.Mode0644, default);

        var e = await Assert.ThrowsAsync<ClusterException>(() =>
            Service(new RecordingKubeadm()).InitAsync(KubeadmConfigRendererTests.Init() with { AdvertiseAddress = "192.168.122.70" }, new KubeadmRunOptions(), default));

        Assert.Contains("the advertise address 192.168.122.70 is the registry address", e.Message, StringComparison.Ordinal);
        Assert.Contains("default is not reject", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_WithoutVerifier_RefusedBecauseImagesCannotBeProven()
    {
        await PrepareNodeAsync();
        var kubeadm = new RecordingKubeadm(InitOutput);
        var service = new KubeadmService(_node.Writer, new KubeadmPreflight(_node.Writer, null, _node.Options), kubeadm, _node.Runner, _node.Time);

        var e = await Assert.ThrowsAsync<ClusterException>(() => service.InitAsync(KubeadmConfigRendererTests.Init(), new KubeadmRunOptions(), default));

        Assert.Contains("image verification is not configured", e.Message, StringComparison.Ordinal);
        Assert.Empty(kubeadm.Calls);
    }

    [Fact]
    public async Task Init_WipeEtcdData_DeletesOldDataThenRuns()
    {
        await PrepareNodeAsync();
        Directory.CreateDirectory(_node.Path("/var/lib/etcd/member/snap"));
        var kubeadm = new RecordingKubeadm(InitOutput);

        var report = await Service(kubeadm).InitAsync(KubeadmConfigRendererTests.Init(), new KubeadmRunOptions { WipeEtcdData = true }, default);

        Assert.Empty(Directory.GetFileSystemEntries(_node.Path("/var/lib/etcd")));
        Assert.Contains("/var/lib/etcd: previous etcd data deleted (--wipe-etcd-data)", report);
        Assert.Single(kubeadm.Calls);
    }

    [Fact]
    public async Task Init_KubeadmFails_ExitCodeReportedNoJoinData()
    {
        await PrepareNodeAsync();

        var e = await Assert.ThrowsAsync<ClusterException>(() =>
            Service(new RecordingKubeadm(string.Empty, exitCode: 1)).InitAsync(KubeadmConfigRendererTests.Init(), new KubeadmRunOptions(), default));

        Assert.Equal("kubeadm init failed with exit code 1; config kept in /etc/u7s/kubeadm-init.yaml for a retry (root only; it holds the bootstrap token: remove it when done)", e.Message);
        Assert.False(File.Exists(_node.Path(JoinMaterialStore.DefaultPath)));
    }

    [Fact]
    public async Task Init_KubeadmNotInstalled_ConfigHoldingTheTokenRemovedAndSaid()
    {
        await PrepareNodeAsync();
        var missing = new KubeadmRunner(TextWriter.Null, _node.Temp.Combine("no-such-kubeadm"));

        var e = await Assert.ThrowsAsync<ClusterException>(() => Service(missing).InitAsync(KubeadmConfigRendererTests.Init(), new KubeadmRunOptions(), default));

        Assert.Equal(ClusterErrorKind.Unavailable, e.Kind);
        Assert.EndsWith("is not installed (not found on PATH): install it, or run u7s kubeadm on a node that has it; /etc/u7s/kubeadm-init.yaml removed", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_node.Path(KubeadmService.InitConfigPath)));
        Assert.NotNull(missing.MissingProblem());
    }

    [Fact]
    public async Task Init_DryRun_PrintsConfigWithKeyHiddenAndRunsNothing()
    {
        await PrepareNodeAsync();
        var before = _node.Snapshot();
        var kubeadm = new RecordingKubeadm();

        var report = await Service(kubeadm).InitAsync(KubeadmConfigRendererTests.Init(), new KubeadmRunOptions { Mode = KubeadmMode.DryRun }, default);

        Assert.Empty(kubeadm.Calls);
        Assert.Equal(before, _node.Snapshot());
        Assert.Contains("certificateKey: <certificate key hidden>", report[0], StringComparison.Ordinal);
        Assert.DoesNotContain(Key, string.Join('\n', report), StringComparison.Ordinal);
        Assert.Equal($"would run: kubeadm init --config {KubeadmService.InitConfigPath} --upload-certs", report[^1]);
    }

    [Theory]
    [InlineData(KubeadmMode.DryRun)]
    [InlineData(KubeadmMode.PreflightOnly)]
    [InlineData(KubeadmMode.Stage)]
    public async Task Init_BareNode_EveryModeRunsThePreflightFirst(KubeadmMode mode)
    {
        var before = _node.Snapshot();
        var kubeadm = new RecordingKubeadm();

        var e = await Assert.ThrowsAsync<ClusterException>(() => Service(kubeadm).InitAsync(KubeadmConfigRendererTests.Init(), new KubeadmRunOptions { Mode = mode }, default));

        Assert.Equal(ClusterErrorKind.Refused, e.Kind);
        Assert.StartsWith("preflight found ", e.Message, StringComparison.Ordinal);
        Assert.Empty(kubeadm.Calls);
        Assert.Equal(before, _node.Snapshot());
    }

    [Fact]
    public async Task Init_PreflightOnly_ReportsReadyWritesNothing()
    {
        await PrepareNodeAsync();
        TrustFlannel();
        var before = _node.Snapshot();
        var kubeadm = new RecordingKubeadm();

        var report = await Service(kubeadm).InitAsync(KubeadmConfigRendererTests.Init(), new KubeadmRunOptions { Mode = KubeadmMode.PreflightOnly, Flannel = Flannel }, default);

        Assert.Equal(["preflight passed: hosts, policy, pause image, ip_forward and 9 images present and signed; kubeadm was not run"], report);
        Assert.Empty(kubeadm.Calls);
        Assert.Equal(before, _node.Snapshot());
    }

    [Fact]
    public async Task Init_Stage_WritesConfigAndManifestRunsNeitherKubeadmNorKubectl()
    {
        await PrepareNodeAsync();
        TrustFlannel();
        var kubeadm = new RecordingKubeadm(InitOutput);

        var report = await Service(kubeadm).InitAsync(KubeadmConfigRendererTests.Init(), new KubeadmRunOptions { Mode = KubeadmMode.Stage, Flannel = Flannel, Verbosity = 5 }, default);

        Assert.Empty(kubeadm.Calls);
        Assert.DoesNotContain(_node.Runner.Calls, c => c.StartsWith("kubectl", StringComparison.Ordinal));
        Assert.Equal(
            [
                "/etc/u7s/kubeadm-init.yaml: created",
                "/etc/u7s/kube-flannel.yml: created",
                $"kubeadm was not run: {_node.Temp.Path} is a staging tree, not this node; on the node run: kubeadm init --config /etc/u7s/kubeadm-init.yaml --upload-certs -v 5",
                "next step, on the node: kubectl --kubeconfig /etc/kubernetes/admin.conf apply -f /etc/u7s/kube-flannel.yml",
            ],
            report);
        Assert.Equal(KubeadmConfigRenderer.RenderInit(KubeadmConfigRendererTests.Init()), _node.Read(KubeadmService.InitConfigPath));
        Assert.Equal(FileModes.Mode0600, _node.Mode(KubeadmService.InitConfigPath));
        Assert.False(File.Exists(_node.Path(JoinMaterialStore.DefaultPath)));
    }

    [Fact]
    public async Task Join_WorkerFromStoredData_RunsJoinWithRenderedConfig()
    {
        await PrepareNodeAsync();
        await Service(new RecordingKubeadm(InitOutput)).InitAsync(KubeadmConfigRendererTests.Init(), new KubeadmRunOptions(), default);
        var kubeadm = new RecordingKubeadm();

        await Service(kubeadm).JoinAsync(JoinRequest(), new KubeadmRunOptions { Verbosity = 2 }, default);

        Assert.Equal([["join", "--config", _node.Path(KubeadmService.JoinConfigPath), "-v", "2"]], kubeadm.Calls);
        var documents = KubeadmConfigReader.Read(kubeadm.Configs[0]);
        Assert.Equal("192.168.122.90:8443", documents.Join!.Discovery!.BootstrapToken!.ApiServerEndpoint);
        Assert.Equal([Hash], documents.Join.Discovery.BootstrapToken.CaCertHashes!);
        Assert.Null(documents.Join.ControlPlane);
        Assert.Equal(FileModes.Mode0600, _node.Mode(KubeadmService.JoinConfigPath));
    }

    [Fact]
    public async Task Join_ExpiredToken_RefusedNamingTheRenewalCommand()
    {
        await PrepareNodeAsync();
        await Service(new RecordingKubeadm(InitOutput)).InitAsync(KubeadmConfigRendererTests.Init(), new KubeadmRunOptions(), default);
        _node.Time.Advance(TimeSpan.FromHours(25));
        var kubeadm = new RecordingKubeadm();

        var e = await Assert.ThrowsAsync<ClusterException>(() => Service(kubeadm).JoinAsync(JoinRequest(), new KubeadmRunOptions(), default));

        Assert.Equal(ClusterErrorKind.Refused, e.Kind);
        Assert.Equal("the bootstrap token expired at 2024-05-24 05:40:07 +00:00: on a control-plane node run `kubeadm token create --print-join-command` and pass the new --token", e.Message);
        Assert.Empty(kubeadm.Calls);
    }

    [Fact]
    public async Task Join_ControlPlaneAfterTwoHours_RefusedNamingUploadCerts()
    {
        await PrepareNodeAsync();
        await Service(new RecordingKubeadm(InitOutput)).InitAsync(KubeadmConfigRendererTests.Init(), new KubeadmRunOptions(), default);
        _node.Time.Advance(TimeSpan.FromHours(2) + TimeSpan.FromSeconds(1));

        var e = await Assert.ThrowsAsync<ClusterException>(() => Service(new RecordingKubeadm()).JoinAsync(
            JoinRequest() with { ControlPlane = true, AdvertiseAddress = "192.168.122.81" }, new KubeadmRunOptions(), default));

        Assert.Contains("`kubeadm init phase upload-certs --upload-certs`", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Join_ControlPlaneInTime_ConfigCarriesKeyAndAdvertiseAddress()
    {
        await PrepareNodeAsync();
        await Service(new RecordingKubeadm(InitOutput)).InitAsync(KubeadmConfigRendererTests.Init(), new KubeadmRunOptions(), default);
        File.Delete(_node.Path("/etc/u7s/kubeadm-init.yaml"));
        var kubeadm = new RecordingKubeadm();

        await Service(kubeadm).JoinAsync(JoinRequest() with { ControlPlane = true, AdvertiseAddress = "192.168.122.81" }, new KubeadmRunOptions(), default);

        var join = KubeadmConfigReader.Read(kubeadm.Configs[0]).Join!;
        Assert.Equal(Key, join.ControlPlane!.CertificateKey);
        Assert.Equal("192.168.122.81", join.ControlPlane.LocalApiEndpoint!.AdvertiseAddress);
    }

    [Fact]
    public async Task Join_NoDataAnywhere_UsageError()
    {
        var e = await Assert.ThrowsAsync<ClusterException>(() => Service(new RecordingKubeadm()).JoinAsync(JoinRequest(), new KubeadmRunOptions(), default));

        Assert.Equal(ClusterErrorKind.Usage, e.Kind);
        Assert.StartsWith("no join data", e.Message, StringComparison.Ordinal);
    }

    [RequiresToolFact("openssl")]
    public async Task Init_OutputWithoutHash_HashFromCaCertificateMatchesOpensslRecipe()
    {
        await PrepareNodeAsync();
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            "CN=kubernetes", rsa, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        Directory.CreateDirectory(_node.Path("/etc/kubernetes/pki"));
        var caPath = _node.Path("/etc/kubernetes/pki/ca.crt");
        File.WriteAllText(caPath, ca.ExportCertificatePem());

        await Service(new RecordingKubeadm("Your Kubernetes control-plane has initialized successfully!\n")).InitAsync(KubeadmConfigRendererTests.Init(), new KubeadmRunOptions(), default);

        // The recipe of the kubeadm documentation: sha256 of the DER public key.
        var der = _node.Path("/tmp-ca.der");
        (await ExternalProcess.RunAsync("openssl", ["x509", "-in", caPath, "-pubkey", "-noout", "-out", der + ".pem"])).EnsureSuccess("openssl x509");
        (await ExternalProcess.RunAsync("openssl", ["pkey", "-pubin", "-in", der + ".pem", "-outform", "der", "-out", der])).EnsureSuccess("openssl pkey");
        var expected = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(der)));
        using var stored = JsonDocument.Parse(_node.Read(JoinMaterialStore.DefaultPath));
        Assert.Equal(expected, stored.RootElement.GetProperty("caCertHash").GetString());
    }

    [Fact]
    public void Redact_KubeadmInitOutput_HidesEveryCertificateKey()
    {
        var redacted = KubeadmOutput.Redact(InitOutput);

        Assert.DoesNotContain(Key, redacted, StringComparison.Ordinal);
        Assert.Contains("--control-plane --certificate-key <certificate key hidden>", redacted, StringComparison.Ordinal);
        Assert.Contains("[upload-certs] Using certificate key:\n<certificate key hidden>\n", redacted, StringComparison.Ordinal);
        Assert.Equal(Hash, KubeadmOutput.CaCertHash(InitOutput));
    }

    private JoinRequest JoinRequest()
    {
        var settings = KubeadmConfigRendererTests.Init();
        return new JoinRequest
        {
            Images = KubeadmImages.Required(settings.ImageRepository, settings.KubernetesVersion, settings.Tags),
            PauseImage = "registry.local/k8s-c10f1/pause:3.9",
        };
    }
}
