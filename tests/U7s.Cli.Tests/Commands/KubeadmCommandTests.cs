using U7s.Cli.Commands;
using U7s.Cli.Tests.Support;
using U7s.Cluster.Files;
using U7s.Cluster.Kubeadm;
using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

public sealed class KubeadmCommandTests : IDisposable
{
    private const string Key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string Hash = "sha256:8a1e7c6f2b5d4e3f8a1e7c6f2b5d4e3f8a1e7c6f2b5d4e3f8a1e7c6f2b5d4e3f";

    private readonly TempDirectory _root = new("u7s-kubeadm-root");
    private readonly RecordingProcessRunner _runner = new();
    private readonly InMemoryImageJudge _verifier = new();

    public void Dispose() => _root.Dispose();

    private NodeEnvironment Environment(RecordingKubeadm kubeadm) => new()
    {
        Runner = _runner,
        IsPrivileged = () => false,
        Kubeadm = kubeadm,
        ImageJudge = _verifier,
    };

    private async Task PrepareNodeAsync()
    {
        var policy = await CommandHarness.RunAsync(CreatePolicyCommand.Create(Environment(new RecordingKubeadm())), "192.168.122.70", "--root", _root.Path, "--role", "registry");
        Assert.Equal(0, policy.ExitCode);
        var file = _root.Combine("etc/containers/policy.json");
        var text = File.ReadAllText(file).Replace("\"docker\": {}", "\"docker\": {\"registry.local\": [{\"type\": \"signedBy\", \"keyType\": \"GPGKeys\", \"keyPath\": \"/var/sigstore/keys/imagemaker.pgp\"}]}", StringComparison.Ordinal);
        File.Delete(file);
        File.WriteAllText(file, text);
        Directory.CreateDirectory(_root.Combine("etc/sysctl.d"));
        File.WriteAllText(_root.Combine("etc/sysctl.d/90-ipforward.conf"), "net.ipv4.ip_forward = 1\n");
        foreach (var image in new[] { "kube-apiserver:v1.26.3", "kube-controller-manager:v1.26.3", "kube-scheduler:v1.26.3", "kube-proxy:v1.26.3", "pause:3.9", "etcd:3.5.6-0", "coredns:v1.9.3", "flannel:v0.21.4", "flannel-cni-plugin:v1.1.2" })
        {
            _verifier.Images[$"registry.local/k8s-c10f1/{image}"] = InMemoryImageJudge.Accepted;
        }
    }

    [Fact]
    public async Task Init_DryRun_PrintsConfigAndCommandOnly()
    {
        await PrepareNodeAsync();
        var before = _root.Snapshot();
        var kubeadm = new RecordingKubeadm();

        var (code, stdout, stderr) = await CommandHarness.RunAsync(KubeadmCommand.Create(Environment(kubeadm)),
            "init", "--apiserver-advertise-address", "192.168.122.80", "--control-plane-endpoint", "192.168.122.90:8443", "--certificate-key", Key,
            "--token", "abcdef.0123456789abcdef", "--root", _root.Path, "--dry-run", "-v", "5");

        Assert.True(code == 0, stderr);
        Assert.Empty(kubeadm.Calls);
        Assert.Equal(before, _root.Snapshot());
        Assert.Contains("controlPlaneEndpoint: 192.168.122.90:8443\n", stdout, StringComparison.Ordinal);
        Assert.Contains("- token: abcdef.0123456789abcdef\n", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, stdout, StringComparison.Ordinal);
        Assert.EndsWith($"would run: kubeadm init --config {_root.Path}/etc/u7s/kubeadm-init.yaml --upload-certs -v 5\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_StagingRoot_FlagsInTheStagedConfigHostKubeadmNeverRun()
    {
        await PrepareNodeAsync();
        var kubeadm = new RecordingKubeadm($"kubeadm join 10.1.1.1:6443 --token abcdef.0123456789abcdef \\\n\t--discovery-token-ca-cert-hash {Hash}\n");

        var (code, stdout, stderr) = await CommandHarness.RunAsync(KubeadmCommand.Create(Environment(kubeadm)),
            "init", "--apiserver-advertise-address", "10.1.1.1", "--pod-network-cidr", "10.10.0.0/16", "--service-cidr", "10.20.0.0/16",
            "--cri-socket", "unix:///run/crio/crio.sock", "--node-name", "master01", "--ignore-preflight-errors", "Swap,NumCPU",
            "--etcd-data-dir", "/var/lib/podsec/u7s/etcd", "--token", "abcdef.0123456789abcdef", "--root", _root.Path);

        Assert.True(code == 0, stderr);
        Assert.Empty(kubeadm.Calls);
        Assert.DoesNotContain(_runner.Calls, c => c.StartsWith("kubectl", StringComparison.Ordinal));
        var init = KubeadmConfigReader.Read(File.ReadAllText(_root.Combine("etc/u7s/kubeadm-init.yaml")));
        Assert.Equal("10.1.1.1:6443", init.Cluster!.ControlPlaneEndpoint);
        Assert.Equal("10.10.0.0/16", init.Cluster.Networking!.PodSubnet);
        Assert.Equal("10.20.0.0/16", init.Cluster.ControllerManager!.ExtraArgs!["service-cluster-ip-range"]);
        Assert.Equal("/var/lib/podsec/u7s/etcd", init.Cluster.Etcd!.Local!.DataDir);
        Assert.Equal("unix:///run/crio/crio.sock", init.Init!.NodeRegistration!.CriSocket);
        Assert.Equal("master01", init.Init.NodeRegistration.Name);
        Assert.Equal(["Swap", "NumCPU"], init.Init.NodeRegistration.IgnorePreflightErrors!);
        Assert.True(JoinSecrets.IsCertificateKey(init.Init.CertificateKey));
        Assert.DoesNotContain(init.Init.CertificateKey!, stdout, StringComparison.Ordinal);
        Assert.EndsWith($"kubeadm was not run: {_root.Path} is a staging tree, not this node; on the node run: kubeadm init --config /etc/u7s/kubeadm-init.yaml --upload-certs\n", stdout, StringComparison.Ordinal);
        Assert.Contains("\"Network\": \"10.10.0.0/16\"", File.ReadAllText(_root.Combine("etc/u7s/kube-flannel.yml")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_PreflightProblems_ExitRefusedListingThem()
    {
        var kubeadm = new RecordingKubeadm();

        var (code, _, stderr) = await CommandHarness.RunAsync(KubeadmCommand.Create(Environment(kubeadm)),
            "init", "--apiserver-advertise-address", "192.168.122.80", "--root", _root.Path);

        Assert.Equal(ExitCodes.Refused, code);
        Assert.StartsWith("u7s: preflight found 13 problem(s), kubeadm was not run:", stderr, StringComparison.Ordinal);
        Assert.Contains("registry.local/k8s-c10f1/flannel-cni-plugin:v1.1.2: not in the registry", stderr, StringComparison.Ordinal);
        Assert.Empty(kubeadm.Calls);
    }

    [Theory]
    [InlineData("--config", "x.yaml", "--config is not accepted")]
    [InlineData("--token", "ABCDEF.0123456789abcdef", "must match [a-z0-9]{6}.[a-z0-9]{16}")]
    [InlineData("--certificate-key", "abc", "must be 64 lower-case hex digits")]
    [InlineData("--kubernetes-version", "1.26.3", "not a version such as v1.26.3")]
    [InlineData("--pod-network-cidr", "10.244.0.0", "not a CIDR")]
    [InlineData("--cri-socket", "/var/run/crio/crio.sock", "must be unix:///path")]
    public async Task Init_BadFlag_RejectedBeforeAnything(string flag, string value, string expected)
    {
        var kubeadm = new RecordingKubeadm();

        var (code, _, stderr) = await CommandHarness.RunAsync(KubeadmCommand.Create(Environment(kubeadm)),
            "init", "--apiserver-advertise-address", "192.168.122.80", "--root", _root.Path, flag, value);

        Assert.NotEqual(0, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.Empty(kubeadm.Calls);
    }

    [Fact]
    public async Task Init_UnknownFlag_RejectedNotIgnored()
    {
        var kubeadm = new RecordingKubeadm();

        var (code, stdout, stderr) = await CommandHarness.RunAsync(KubeadmCommand.Create(Environment(kubeadm)),
            "init", "--apiserver-advertise-address", "192.168.122.80", "--root", _root.Path, "--dry-run", "--service-cidrs", "10.0.0.0/16");

        Assert.NotEqual(0, code);
        Assert.Contains("--service-cidrs", stderr + stdout, StringComparison.Ordinal);
        Assert.Empty(kubeadm.Calls);
    }

    [Fact]
    public async Task Init_UnknownMinorWithoutTags_UsageError()
    {
        var (code, _, stderr) = await CommandHarness.RunAsync(KubeadmCommand.Create(Environment(new RecordingKubeadm())),
            "init", "--apiserver-advertise-address", "192.168.122.80", "--root", _root.Path, "--kubernetes-version", "v1.31.0", "--dry-run");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("u7s: no built-in image tags for Kubernetes v1.31.0 (built in: v1.24.0-v1.24.17, v1.25.0-v1.25.16, v1.26.0-v1.26.15, v1.27.0-v1.27.16, v1.28.0-v1.28.15, v1.29.0-v1.29.10, v1.30.0-v1.30.6): "
            + "give --etcd-image-tag, --coredns-image-tag and --pause-image-tag (kubeadm config images list --kubernetes-version v1.31.0 names them)\n", stderr);
    }

    [Fact]
    public async Task Join_StagingRoot_WorkerConfigStagedHostKubeadmNeverRun()
    {
        await PrepareNodeAsync();
        var kubeadm = new RecordingKubeadm();

        var (code, _, stderr) = await CommandHarness.RunAsync(KubeadmCommand.Create(Environment(kubeadm)),
            "join", "192.168.122.90:8443", "--token", "abcdef.0123456789abcdef", "--discovery-token-ca-cert-hash", Hash, "--root", _root.Path);

        Assert.True(code == 0, stderr);
        Assert.Empty(kubeadm.Calls);
        var join = KubeadmConfigReader.Read(File.ReadAllText(_root.Combine("etc/u7s/kubeadm-join.yaml"))).Join!;
        Assert.Equal("192.168.122.90:8443", join.Discovery!.BootstrapToken!.ApiServerEndpoint);
    }

    [Fact]
    public async Task Join_CertificateKeyWithoutControlPlane_Rejected()
    {
        var (code, _, stderr) = await CommandHarness.RunAsync(KubeadmCommand.Create(Environment(new RecordingKubeadm())),
            "join", "192.168.122.90:8443", "--certificate-key", Key, "--root", _root.Path);

        Assert.NotEqual(0, code);
        Assert.Contains("--certificate-key applies to --control-plane joins only", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherSubcommand_PassedThroughVerbatim()
    {
        var kubeadm = new RecordingKubeadm(exitCode: 3);

        var (code, _, _) = await CommandHarness.RunAsync(KubeadmCommand.Create(Environment(kubeadm)), "token", "create", "--print-join-command", "--ttl", "2h");

        Assert.Equal(3, code);
        Assert.Equal(["token", "create", "--print-join-command", "--ttl", "2h"], Assert.Single(kubeadm.Calls));
    }

    [Fact]
    public async Task Init_DryRunOnBareNode_RefusedLikeARealRun()
    {
        var kubeadm = new RecordingKubeadm();

        var (code, stdout, stderr) = await CommandHarness.RunAsync(KubeadmCommand.Create(Environment(kubeadm)),
            "init", "--apiserver-advertise-address", "192.168.122.80", "--root", _root.Path, "--dry-run");

        Assert.Equal(ExitCodes.Refused, code);
        Assert.StartsWith("u7s: preflight found 13 problem(s), kubeadm was not run:", stderr, StringComparison.Ordinal);
        Assert.Empty(stdout);
        Assert.Empty(kubeadm.Calls);
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [Fact]
    public async Task Init_DryRunRegistryNameDoesNotResolve_RefusedEveryImageUnreachable()
    {
        await PrepareNodeAsync();
        // The real check: images are fetched from http://registry.local/, a name this machine does not resolve.
        var environment = new NodeEnvironment { Runner = _runner, IsPrivileged = () => false, Kubeadm = new RecordingKubeadm() };

        var (code, stdout, stderr) = await CommandHarness.RunAsync(KubeadmCommand.Create(environment),
            "init", "--apiserver-advertise-address", "192.168.122.80", "--root", _root.Path, "--dry-run");

        Assert.Equal(ExitCodes.Refused, code);
        Assert.StartsWith("u7s: preflight found 9 problem(s), kubeadm was not run:", stderr, StringComparison.Ordinal);
        Assert.Contains("registry.local/k8s-c10f1/kube-apiserver:v1.26.3: registry unreachable", stderr, StringComparison.Ordinal);
        Assert.Empty(stdout);
    }

    [Fact]
    public async Task Init_PreflightOnly_ReadyNode_OneLineAndNothingWritten()
    {
        await PrepareNodeAsync();
        var before = _root.Snapshot();
        var kubeadm = new RecordingKubeadm();

        var (code, stdout, stderr) = await CommandHarness.RunAsync(KubeadmCommand.Create(Environment(kubeadm)),
            "init", "--apiserver-advertise-address", "192.168.122.80", "--root", _root.Path, "--preflight-only");

        Assert.True(code == 0, stderr);
        Assert.Equal("preflight passed: hosts, policy, pause image, ip_forward and 9 images present and signed; kubeadm was not run\n", stdout);
        Assert.Equal(before, _root.Snapshot());
        Assert.Empty(kubeadm.Calls);
    }

    [Fact]
    public async Task Join_PreflightOnly_UnsignedImage_Refused()
    {
        await PrepareNodeAsync();
        _verifier.Images["registry.local/k8s-c10f1/kube-proxy:v1.26.3"] = InMemoryImageJudge.Refused("no signature");
        var kubeadm = new RecordingKubeadm();

        var (code, stdout, stderr) = await CommandHarness.RunAsync(KubeadmCommand.Create(Environment(kubeadm)),
            "join", "192.168.122.90:8443", "--token", "abcdef.0123456789abcdef", "--discovery-token-ca-cert-hash", Hash, "--root", _root.Path, "--preflight-only");

        Assert.Equal(ExitCodes.Refused, code);
        Assert.Equal($"u7s: preflight found 1 problem(s), kubeadm was not run:\n  - registry.local/k8s-c10f1/kube-proxy:v1.26.3: signature does not verify under /etc/containers/policy.json ({InMemoryImageJudge.SomeDigest}: no signature)\n", stderr);
        Assert.Empty(stdout);
        Assert.Empty(kubeadm.Calls);
    }

    [Fact]
    public async Task Init_DryRunAndPreflightOnly_Rejected()
    {
        var (code, _, stderr) = await CommandHarness.RunAsync(KubeadmCommand.Create(Environment(new RecordingKubeadm())),
            "init", "--apiserver-advertise-address", "192.168.122.80", "--root", _root.Path, "--dry-run", "--preflight-only");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--dry-run and --preflight-only exclude each other", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_StagingRoot_FlannelManifestStagedNoKubectl()
    {
        await PrepareNodeAsync();

        var (code, stdout, stderr) = await CommandHarness.RunAsync(KubeadmCommand.Create(Environment(new RecordingKubeadm())),
            "init", "--apiserver-advertise-address", "192.168.122.80", "--root", _root.Path);

        Assert.True(code == 0, stderr);
        Assert.Contains("/etc/u7s/kubeadm-init.yaml: created\n", stdout, StringComparison.Ordinal);
        Assert.Contains("/etc/u7s/kube-flannel.yml: created\n", stdout, StringComparison.Ordinal);
        Assert.Contains("image: \"registry.local/k8s-c10f1/flannel:v0.21.4\"", File.ReadAllText(_root.Combine("etc/u7s/kube-flannel.yml")), StringComparison.Ordinal);
        Assert.Equal(FileModes.Mode0600, FileModes.Get(_root.Combine("etc/u7s/kubeadm-init.yaml")));
        Assert.DoesNotContain(_runner.Calls, c => c.StartsWith("kubectl", StringComparison.Ordinal));
        Assert.False(File.Exists(_root.Combine("etc/u7s/kubeadm-join.json")));
    }

    [Fact]
    public async Task Init_LaterRelease_TagsFromTheTableWithoutFlags()
    {
        await PrepareNodeAsync();
        foreach (var image in new[] { "kube-apiserver:v1.28.15", "kube-controller-manager:v1.28.15", "kube-scheduler:v1.28.15", "kube-proxy:v1.28.15", "etcd:3.5.15-0", "coredns:v1.10.1" })
        {
            _verifier.Images[$"registry.local/k8s-c10f1/{image}"] = InMemoryImageJudge.Accepted;
        }

        var (code, stdout, stderr) = await CommandHarness.RunAsync(KubeadmCommand.Create(Environment(new RecordingKubeadm())),
            "init", "--apiserver-advertise-address", "192.168.122.80", "--root", _root.Path, "--kubernetes-version", "v1.28.15", "--dry-run");

        Assert.True(code == 0, stderr);
        Assert.Contains("kubernetesVersion: v1.28.15\n", stdout, StringComparison.Ordinal);
        Assert.Matches(@"\n  local:\n(    .*\n)*    imageTag: 3\.5\.15-0\n", stdout);
        Assert.Matches(@"\ndns:\n(  .*\n)*  imageTag: v1\.10\.1\n", stdout);
    }
}
