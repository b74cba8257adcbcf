using U7s.Cli.Commands;
using U7s.Cli.Tests.Support;
using U7s.Cluster.Files;
using U7s.Cluster.Kubeadm;
using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// The cluster verbs against the real <c>u7s serve</c> process: create-policy and
/// create-imagemakeruser write a staging root (the key comes from U7s's own key store),
/// <c>u7s sign</c> signs with that key, and then skopeo 1.9.3 pulling with the written files
/// unchanged, or the kubeadm preflight, decide exactly as a node would.
/// </summary>
public sealed class ClusterSignedImagesTests : IAsyncLifetime, IDisposable
{
    private const string Email = "imagemaker@node1.example.test";
    private const string JoinOutput = "kubeadm join 192.168.122.80:6443 --token abcdef.0123456789abcdef \\\n\t--discovery-token-ca-cert-hash sha256:8a1e7c6f2b5d4e3f8a1e7c6f2b5d4e3f8a1e7c6f2b5d4e3f8a1e7c6f2b5d4e3f\n";

    private static readonly string[] KubernetesImages =
    [
        "kube-apiserver:v1.26.3", "kube-controller-manager:v1.26.3", "kube-scheduler:v1.26.3", "kube-proxy:v1.26.3", "pause:3.9", "etcd:3.5.6-0", "coredns:v1.9.3",
    ];

    private readonly TempDirectory _work = new("u7s-cluster-e2e");
    private readonly RecordingProcessRunner _runner = new();
    private U7sProcess? _u7s;
    private int _images;

    private string Root => _work.Combine("root");

    private string SigstoreRoot => Path.Join(Root, "var", "sigstore");

    private string KeyDirectory => Path.Join(Root, "home", "imagemaker", ".local", "share", "u7s", "keys");

    private U7sProcess U7s => _u7s ?? throw new InvalidOperationException("u7s serve is not running");

    private string RegistryHost => U7s.RegistryUrl.Authority;

    private string LookasideUrl => new Uri(U7s.SigstoreUrl, "sigstore/").ToString();

    public async Task InitializeAsync()
    {
        if (Tool.Find("skopeo") is null)
        {
            return;
        }

        Directory.CreateDirectory(SigstoreRoot);
        _u7s = await U7sProcess.StartAsync(_work.Combine("data"), SigstoreRoot);
        await File.WriteAllTextAsync(_work.Combine("accept.json"), """{"default":[{"type":"insecureAcceptAnything"}]}""");
    }

    public async Task DisposeAsync()
    {
        if (_u7s is not null)
        {
            await _u7s.DisposeAsync();
        }
    }

    public void Dispose() => _work.Dispose();

    private NodeEnvironment Environment(RecordingKubeadm? kubeadm = null) => new()
    {
        Runner = _runner,
        IsPrivileged = () => false,
        HostName = "node1.example.test",
        Kubeadm = kubeadm,
    };

    [RequiresToolFact("skopeo")]
    public async Task WrittenPolicy_SkopeoPullsImageSignedWithProvisionedKey_RefusesUnsigned()
    {
        string[] names = ["--root", Root, "--registry-name", U7s.RegistryUrl.Host, "--registry-port", U7s.RegistryUrl.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--lookaside-url", LookasideUrl];
        await RunAsync(CreatePolicyCommand.Create(Environment()), ["192.168.122.70", "--role", "registry", .. names]);
        var maker = await RunAsync(CreateImagemakerUserCommand.Create(Environment()), ["imagemaker", "--in-place", .. names]);
        Assert.Contains("imagemaker: signing key ", maker, StringComparison.Ordinal);
        Assert.Contains(" generated, public key /var/sigstore/keys/imagemaker.pgp", maker, StringComparison.Ordinal);

        await PushAsync($"{RegistryHost}/ns/signed:v1");
        await PushAsync($"{RegistryHost}/ns/unsigned:v1");
        await SignAsync($"{RegistryHost}/ns/signed:v1", U7s.RegistryUrl);

        // Only the files the verbs wrote decide; no keyring of the signer is reachable.
        string[] pull = ["--policy", Path.Join(Root, "etc", "containers", "policy.json"), "--registries.d", Path.Join(Root, "etc", "containers", "registries.d"),
            "--registries-conf", Path.Join(Root, "etc", "containers", "registries.conf"), "copy", "-q"];
        var noKeyring = new Dictionary<string, string?> { ["GNUPGHOME"] = _work.Combine("no-gnupg") };
        var good = await ExternalProcess.RunAsync("skopeo", [.. pull, $"docker://{RegistryHost}/ns/signed:v1", $"dir:{_work.Combine("pulled-signed")}"], noKeyring);
        var bad = await ExternalProcess.RunAsync("skopeo", [.. pull, $"docker://{RegistryHost}/ns/unsigned:v1", $"dir:{_work.Combine("pulled-unsigned")}"], noKeyring);

        Assert.True(good.ExitCode == 0, good.StandardError);
        Assert.True(File.Exists(_work.Combine("pulled-signed", "manifest.json")));
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("A signature was required, but no signature exists", bad.StandardError, StringComparison.Ordinal);
    }

    [RequiresToolFact("skopeo")]
    public async Task CreateImagemakerUser_RealKeyStore_KeyOwnedByUserPublishedAndReusedOnRerun()
    {
        string[] names = ["--root", Root];
        await RunAsync(CreatePolicyCommand.Create(Environment()), ["192.168.122.70", "--role", "registry", .. names]);

        var first = await RunAsync(CreateImagemakerUserCommand.Create(Environment()), ["imagemaker", .. names]);
        var second = await RunAsync(CreateImagemakerUserCommand.Create(Environment()), ["imagemaker", .. names]);

        var secret = Assert.Single(Directory.GetFiles(KeyDirectory));
        var fingerprint = Path.GetFileName(secret)[..^".sec.asc".Length];
        Assert.Matches("^[0-9A-F]{40}$", fingerprint);
        Assert.Equal(FileModes.Mode0600, FileModes.Get(secret));
        Assert.Equal(FileModes.Mode0700, FileModes.Get(KeyDirectory));
        Assert.Contains($"chown 1002:1002 {KeyDirectory}", _runner.Calls);
        Assert.Contains($"chown 1002:1002 {secret}", _runner.Calls);
        Assert.Contains($"imagemaker: signing key {fingerprint} generated, public key /var/sigstore/keys/imagemaker.pgp", first, StringComparison.Ordinal);
        Assert.Contains($"imagemaker: signing key {fingerprint} reused", second, StringComparison.Ordinal);
        var published = Path.Join(SigstoreRoot, "keys", "imagemaker.pgp");
        Assert.StartsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----", File.ReadAllText(published), StringComparison.Ordinal);
        Assert.Equal(FileModes.Mode0644, FileModes.Get(published));

        // The key is the one `u7s keys list` shows for the imagemaker, RSA-3072 without passphrase.
        var (code, listing, error) = await CommandHarness.RunAsync(KeysCommand.Create(), "list", "--key-dir", KeyDirectory);
        Assert.True(code == 0, error);
        Assert.Contains($"{fingerprint} Rsa", listing, StringComparison.Ordinal);
        Assert.Contains("-3072 unprotected imagemaker <imagemaker@node1.example.test>", listing, StringComparison.Ordinal);
    }

    [RequiresToolFact("skopeo")]
    public async Task CreateImagemakerUser_TwoUsableKeysForTheEmail_RefusedAndPolicyUnchanged()
    {
        await RunAsync(CreatePolicyCommand.Create(Environment()), ["192.168.122.70", "--role", "registry", "--root", Root]);
        var policy = File.ReadAllText(Path.Join(Root, "etc", "containers", "policy.json"));
        foreach (var _ in new[] { 1, 2 })
        {
            var (code, _, error) = await CommandHarness.RunAsync(KeysCommand.Create(), "generate", "--name", "imagemaker", "--email", Email, "--bits", "2048", "--no-passphrase", "--key-dir", KeyDirectory);
            Assert.True(code == 0, error);
        }

        var (exit, _, stderr) = await CommandHarness.RunAsync(CreateImagemakerUserCommand.Create(Environment()), "imagemaker", "--root", Root);

        Assert.Equal(ExitCodes.Failure, exit);
        Assert.StartsWith($"u7s: several usable keys for {Email} in /home/imagemaker/.local/share/u7s/keys: ", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Join(SigstoreRoot, "keys", "imagemaker.pgp")));
        Assert.Equal(policy, File.ReadAllText(Path.Join(Root, "etc", "containers", "policy.json")));
    }

    [RequiresToolFact("skopeo")]
    public async Task KubeadmInit_AllImagesPresentAndSigned_PreflightPassesAndConfigStaged()
    {
        await PrepareClusterNodeAsync(KubernetesImages, KubernetesImages);
        var kubeadm = new RecordingKubeadm(JoinOutput);

        var (code, stdout, stderr) = await CommandHarness.RunAsync(KubeadmCommand.Create(Environment(kubeadm)),
            "init", "--apiserver-advertise-address", "192.168.122.80", "--token", "abcdef.0123456789abcdef", "--no-flannel",
            "--root", Root, "--registry-url", U7s.RegistryUrl.ToString());

        Assert.True(code == 0, stderr);
        Assert.Empty(kubeadm.Calls);
        var config = KubeadmConfigReader.Read(File.ReadAllText(Path.Join(Root, "etc", "u7s", "kubeadm-init.yaml")));
        Assert.Equal("registry.local/k8s-c10f1", config.Cluster!.ImageRepository);
        Assert.Equal("v1.26.3", config.Cluster.KubernetesVersion);
        Assert.Equal("192.168.122.80:6443", config.Cluster.ControlPlaneEndpoint);
        Assert.Equal("192.168.122.80", config.Init!.LocalApiEndpoint!.AdvertiseAddress);
        Assert.Equal("abcdef.0123456789abcdef", Assert.Single(config.Init.BootstrapTokens!).Token);
        Assert.EndsWith("on the node run: kubeadm init --config /etc/u7s/kubeadm-init.yaml --upload-certs\n", stdout, StringComparison.Ordinal);
    }

    [RequiresToolFact("skopeo")]
    public async Task KubeadmInit_OneImageMissingAnotherUnsigned_RefusedListingBoth()
    {
        var pushed = KubernetesImages.Where(i => !i.StartsWith("etcd:", StringComparison.Ordinal)).ToArray();
        await PrepareClusterNodeAsync(pushed, pushed.Where(i => !i.StartsWith("coredns:", StringComparison.Ordinal)).ToArray());
        var kubeadm = new RecordingKubeadm(JoinOutput);

        var (code, _, stderr) = await CommandHarness.RunAsync(KubeadmCommand.Create(Environment(kubeadm)),
            "init", "--apiserver-advertise-address", "192.168.122.80", "--no-flannel", "--root", Root, "--registry-url", U7s.RegistryUrl.ToString());

        Assert.Equal(ExitCodes.Refused, code);
        Assert.StartsWith("u7s: preflight found 2 problem(s), kubeadm was not run:", stderr, StringComparison.Ordinal);
        Assert.Contains("registry.local/k8s-c10f1/etcd:3.5.6-0: not in the registry", stderr, StringComparison.Ordinal);
        Assert.Matches(@"registry\.local/k8s-c10f1/coredns:v1\.9\.3: signature does not verify under /etc/containers/policy\.json \(sha256:[0-9a-f]{64}: A signature was required, but no signature exists\)", stderr);
        Assert.DoesNotContain("kube-apiserver", stderr, StringComparison.Ordinal);
        Assert.Empty(kubeadm.Calls);
    }

    [RequiresToolFact("skopeo")]
    public async Task KubeadmInit_ImageSignedByUntrustedKey_Refused()
    {
        await PrepareClusterNodeAsync(KubernetesImages, KubernetesImages.Where(i => !i.StartsWith("pause:", StringComparison.Ordinal)).ToArray());
        var stranger = _work.Combine("stranger-keys");
        var (generated, _, error) = await CommandHarness.RunAsync(KeysCommand.Create(), "generate", "--name", "stranger", "--email", "stranger@example.test", "--bits", "2048", "--no-passphrase", "--key-dir", stranger);
        Assert.True(generated == 0, error);
        await SignAsync("registry.local/k8s-c10f1/pause:3.9", U7s.RegistryUrl, "stranger@example.test", stranger);
        var kubeadm = new RecordingKubeadm(JoinOutput);

        var (code, _, stderr) = await CommandHarness.RunAsync(KubeadmCommand.Create(Environment(kubeadm)),
            "init", "--apiserver-advertise-address", "192.168.122.80", "--no-flannel", "--root", Root, "--registry-url", U7s.RegistryUrl.ToString());

        Assert.Equal(ExitCodes.Refused, code);
        Assert.StartsWith("u7s: preflight found 1 problem(s), kubeadm was not run:", stderr, StringComparison.Ordinal);
        Assert.Contains("registry.local/k8s-c10f1/pause:3.9: signature does not verify under /etc/containers/policy.json", stderr, StringComparison.Ordinal);
        Assert.Empty(kubeadm.Calls);
    }

    [RequiresToolFact("skopeo")]
    public async Task KubeadmInit_RegistryUnreachable_EveryImageReportedUnreachable()
    {
        await PrepareClusterNodeAsync([], []);
        var closed = $"http://127.0.0.1:{FreeTcpPort.Next()}/";
        var kubeadm = new RecordingKubeadm(JoinOutput);

        var (code, _, stderr) = await CommandHarness.RunAsync(KubeadmCommand.Create(Environment(kubeadm)),
            "init", "--apiserver-advertise-address", "192.168.122.80", "--no-flannel", "--root", Root, "--registry-url", closed);

        Assert.Equal(ExitCodes.Refused, code);
        Assert.StartsWith("u7s: preflight found 7 problem(s), kubeadm was not run:", stderr, StringComparison.Ordinal);
        Assert.Contains($"registry.local/k8s-c10f1/kube-apiserver:v1.26.3: registry unreachable: cannot reach {closed}", stderr, StringComparison.Ordinal);
        Assert.Empty(kubeadm.Calls);
    }

    [RequiresToolFact("skopeo")]
    public async Task KubeadmInit_LookasideUnreachable_NoImageCountsAsSigned()
    {
        await PrepareClusterNodeAsync(KubernetesImages, KubernetesImages);
        var closed = $"http://127.0.0.1:{FreeTcpPort.Next()}/sigstore/";
        var kubeadm = new RecordingKubeadm(JoinOutput);

        var (code, _, stderr) = await CommandHarness.RunAsync(KubeadmCommand.Create(Environment(kubeadm)),
            "init", "--apiserver-advertise-address", "192.168.122.80", "--no-flannel", "--root", Root, "--registry-url", U7s.RegistryUrl.ToString(), "--lookaside-url", closed);

        Assert.Equal(ExitCodes.Refused, code);
        Assert.StartsWith("u7s: preflight found 7 problem(s), kubeadm was not run:", stderr, StringComparison.Ordinal);
        Assert.Contains($"registry.local/k8s-c10f1/etcd:3.5.6-0: signature does not verify under /etc/containers/policy.json (reading signature from {closed}k8s-c10f1/etcd@sha256=", stderr, StringComparison.Ordinal);
        Assert.Empty(kubeadm.Calls);
    }

    // A registry node as SPEC §4-5 sets it up: default names, signatures read from the running :81.
    private async Task PrepareClusterNodeAsync(IEnumerable<string> push, IEnumerable<string> sign)
    {
        await RunAsync(CreatePolicyCommand.Create(Environment()), ["192.168.122.70", "--role", "registry", "--root", Root, "--lookaside-url", LookasideUrl]);
        await RunAsync(CreateImagemakerUserCommand.Create(Environment()), ["imagemaker", "--root", Root, "--lookaside-url", LookasideUrl]);
        foreach (var image in push)
        {
            await PushAsync($"{RegistryHost}/k8s-c10f1/{image}");
        }

        foreach (var image in sign)
        {
            await SignAsync($"registry.local/k8s-c10f1/{image}", U7s.RegistryUrl);
        }
    }

    private async Task PushAsync(string target)
    {
        var layout = _work.Combine("layouts", (++_images).ToString(System.Globalization.CultureInfo.InvariantCulture));
        TestImageLayout.Write(layout, "v1", $"image {target}\n");
        (await ExternalProcess.RunAsync("skopeo", ["--policy", _work.Combine("accept.json"), "copy", "-q", "--dest-tls-verify=false", $"oci:{layout}:v1", $"docker://{target}"]))
            .EnsureSuccess($"push {target}");
    }

    private async Task SignAsync(string image, Uri registryUrl, string email = Email, string? keyDirectory = null)
    {
        var (code, _, error) = await CommandHarness.RunAsync(SignCommand.Create(), image, "--key", email, "--key-dir", keyDirectory ?? KeyDirectory,
            "--sigstore-root", SigstoreRoot, "--registry-url", registryUrl.ToString());
        Assert.True(code == 0, $"u7s sign {image}: {error}");
    }

    private static async Task<string> RunAsync(System.CommandLine.Command verb, string[] args)
    {
        var (code, stdout, stderr) = await CommandHarness.RunAsync(verb, args);
        Assert.True(code == 0, $"{verb.Name}: {stderr}");
        return stdout;
    }
}
