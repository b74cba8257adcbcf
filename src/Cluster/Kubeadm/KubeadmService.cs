using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using U7s.Cluster.Accounts;
using U7s.Cluster.Files;

namespace U7s.Cluster.Kubeadm;

/// <summary>
/// <c>u7s kubeadm init|join</c> (SPEC §5.5): render and check the v1beta3 config, run the preflight
/// and refuse with every problem, write the config root-only, run kubeadm, and keep the join data
/// (token, CA hash, certificate key, expiry) in a 0600 file. The certificate key is never printed.
/// </summary>
public sealed class KubeadmService(NodeFileWriter writer, KubeadmPreflight preflight, IKubeadmRunner kubeadm, IProcessRunner runner, TimeProvider time)
{
    public const string InitConfigPath = "/etc/u7s/kubeadm-init.yaml";
    public const string JoinConfigPath = "/etc/u7s/kubeadm-join.yaml";
    public const string FlannelManifestPath = "/etc/u7s/kube-flannel.yml";
    public const string AdminKubeconfig = "/etc/kubernetes/admin.conf";

    /// <summary>Lifetime of the certificates kubeadm uploads with <c>--upload-certs</c>.</summary>
    public static readonly TimeSpan CertificateKeyLifetime = TimeSpan.FromHours(2);

    public async Task<IReadOnlyList<string>> InitAsync(InitSettings settings, KubeadmRunOptions run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(run);
        if (!GoDuration.TryParse(settings.TokenTtl, out var ttl))
        {
            throw new ClusterException($"token ttl is not a duration: {settings.TokenTtl}", ClusterErrorKind.Usage);
        }

        var config = KubeadmConfigRenderer.RenderInit(settings);
        IEnumerable<string> flannelImages = run.Flannel is { } f ? [f.Flannel, f.CniPlugin] : [];
        var images = KubeadmImages.Required(settings.ImageRepository, settings.KubernetesVersion, settings.Tags).Concat(flannelImages).ToList();
        var manifest = run.Flannel is { } flannel ? FlannelManifest.Render(flannel, settings.PodSubnet) : null;
        await PreflightAsync(new PreflightRequest(images, $"{settings.ImageRepository}/pause:{settings.Tags.Pause}", settings.AdvertiseAddress, settings.EtcdDataDir, run.WipeEtcdData), cancellationToken);
        List<string> Arguments(string configPath) => ["init", "--config", configPath, "--upload-certs", .. Verbosity(run)];
        if (run.Mode != KubeadmMode.Run)
        {
            return await WithoutKubeadmAsync(run.Mode, images.Count, InitConfigPath, config, settings.CertificateKey, Arguments, manifest, cancellationToken);
        }

        var report = new List<string>();
        WipeEtcd(settings.EtcdDataDir, run.WipeEtcdData, report);

        var started = time.GetUtcNow();
        var output = await RunAsync(InitConfigPath, config, Arguments(writer.Root.Resolve(InitConfigPath)), cancellationToken);
        var hash = KubeadmOutput.CaCertHash(output) ?? CaHashFromCertificate()
            ?? throw new ClusterException("kubeadm init succeeded but printed no CA hash and /etc/kubernetes/pki/ca.crt is missing");
        var material = new JoinMaterial(
            settings.ControlPlaneEndpoint,
            settings.Token,
            ttl == TimeSpan.Zero ? null : started + ttl,
            hash,
            settings.CertificateKey,
            started + CertificateKeyLifetime);
        var store = new JoinMaterialStore(writer, run.JoinDataPath);
        await store.SaveAsync(material, cancellationToken);

        report.Add($"join data (token, CA hash, certificate key) saved to {store.NodePath} (0600)");
        report.Add($"worker join:        u7s kubeadm join {material.ApiServerEndpoint} --token {material.Token} --discovery-token-ca-cert-hash {material.CaCertHash}");
        report.Add($"control-plane join: copy {store.NodePath} to the node (root only), then: u7s kubeadm join --control-plane --advertise-address <node address> --join-data {store.NodePath}");
        report.Add($"token expires {Stamp(material.TokenExpires)} (renew: kubeadm token create --print-join-command); certificate key expires {Stamp(material.CertificateKeyExpires)} (renew: kubeadm init phase upload-certs --upload-certs)");
        if (manifest is not null)
        {
            report.Add(await ApplyFlannelAsync(manifest, store.NodePath, cancellationToken));
        }
        else
        {
            report.Add("next step: install a pod network (CNI) yourself; --no-flannel left it out");
        }

        return report;
    }

    public async Task<IReadOnlyList<string>> JoinAsync(JoinRequest request, KubeadmRunOptions run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(run);
        if (run.Mode == KubeadmMode.PreflightOnly)
        {
            // Checking the node's images needs no token: only the join itself does.
            await PreflightAsync(new PreflightRequest(request.Images, request.PauseImage, request.AdvertiseAddress, request.ControlPlane ? request.EtcdDataDir : null, run.WipeEtcdData), cancellationToken);
            return await WithoutKubeadmAsync(run.Mode, request.Images.Count, JoinConfigPath, string.Empty, null, _ => [], null, cancellationToken);
        }

        var store = new JoinMaterialStore(writer, run.JoinDataPath);
        var stored = store.LoadOrNull();
        var token = request.Token ?? stored?.Token;
        var hash = request.CaCertHash ?? stored?.CaCertHash;
        var endpoint = request.ApiServerEndpoint ?? stored?.ApiServerEndpoint;
        if (token is null || hash is null || endpoint is null)
        {
            throw new ClusterException(
                $"no join data: give <endpoint> --token --discovery-token-ca-cert-hash, or --join-data FILE ({store.NodePath} does not exist)", ClusterErrorKind.Usage);
        }

        var now = time.GetUtcNow();
        if (stored is not null && stored.Token == token && stored.TokenExpires is { } tokenExpires && tokenExpires <= now)
        {
            throw new ClusterException(
                $"the bootstrap token expired at {Stamp(tokenExpires)}: on a control-plane node run `kubeadm token create --print-join-command` and pass the new --token", ClusterErrorKind.Refused);
        }

        string? key = null;
        if (request.ControlPlane)
        {
            key = request.CertificateKey ?? stored?.CertificateKey
                ?? throw new ClusterException("a control-plane join needs --certificate-key (or join data holding one)", ClusterErrorKind.Usage);
            if (stored is not null && stored.CertificateKey == key && stored.CertificateKeyExpires is { } keyExpires && keyExpires <= now)
            {
                throw new ClusterException(
                    $"the certificate key expired at {Stamp(keyExpires)}: on a control-plane node run `kubeadm init phase upload-certs --upload-certs` and pass the new --certificate-key", ClusterErrorKind.Refused);
            }

            if (request.AdvertiseAddress is null)
            {
                throw new ClusterException("a control-plane join needs --advertise-address", ClusterErrorKind.Usage);
            }
        }

        var config = KubeadmConfigRenderer.RenderJoin(new JoinSettings
        {
            ApiServerEndpoint = endpoint,
            Token = token,
            CaCertHash = hash,
            CriSocket = request.CriSocket,
            NodeName = request.NodeName,
            ControlPlane = request.ControlPlane,
            AdvertiseAddress = request.AdvertiseAddress,
            BindPort = request.BindPort,
            CertificateKey = key,
            IgnorePreflightErrors = request.IgnorePreflightErrors,
        });
        var etcd = request.ControlPlane ? request.EtcdDataDir : null;
        await PreflightAsync(new PreflightRequest(request.Images, request.PauseImage, request.AdvertiseAddress, etcd, run.WipeEtcdData), cancellationToken);
        List<string> Arguments(string configPath) => ["join", "--config", configPath, .. Verbosity(run)];
        if (run.Mode != KubeadmMode.Run)
        {
            return await WithoutKubeadmAsync(run.Mode, request.Images.Count, JoinConfigPath, config, key, Arguments, null, cancellationToken);
        }

        var report = new List<string>();
        if (etcd is not null)
        {
            WipeEtcd(etcd, run.WipeEtcdData, report);
        }

        // kubeadm's own output reached the administrator through the runner (certificate key hidden).
        await RunAsync(JoinConfigPath, config, Arguments(writer.Root.Resolve(JoinConfigPath)), cancellationToken);
        report.Add($"kubeadm join finished ({(request.ControlPlane ? "control plane" : "worker")})");
        return report;
    }

    private async Task<string> ApplyFlannelAsync(string manifest, string joinData, CancellationToken cancellationToken)
    {
        await writer.WriteAsync(FlannelManifestPath, manifest, FileModes.Mode0644, cancellationToken);
        string[] arguments = ["--kubeconfig", writer.Root.Resolve(AdminKubeconfig), "apply", "-f", writer.Root.Resolve(FlannelManifestPath)];
        var outcome = await runner.RunAsync("kubectl", arguments, cancellationToken);
        if (outcome.ExitCode != 0)
        {
            throw new ClusterException(
                $"the control plane is initialized (join data in {joinData}) but flannel was not applied: kubectl {string.Join(' ', arguments)}: {outcome.FirstErrorLine}");
        }

        return $"flannel applied from {FlannelManifestPath} (next step done: {FlannelStep})";
    }

    /// <summary>The step after <c>kubeadm init</c>, with node paths: the pod network.</summary>
    private static string FlannelStep => $"kubectl --kubeconfig {AdminKubeconfig} apply -f {FlannelManifestPath}";

    private static List<string> Verbosity(KubeadmRunOptions run) =>
        run.Verbosity is { } v ? ["-v", v.ToString(CultureInfo.InvariantCulture)] : [];

    // Everything but kubeadm itself, after a preflight that passed.
    private async Task<List<string>> WithoutKubeadmAsync(
        KubeadmMode mode, int imageCount, string configPath, string config, string? certificateKey, Func<string, List<string>> arguments, string? flannelManifest, CancellationToken cancellationToken)
    {
        switch (mode)
        {
            case KubeadmMode.PreflightOnly:
                return [$"preflight passed: hosts, policy, pause image, ip_forward and {imageCount} images present and signed; kubeadm was not run", .. MissingKubeadm()];
            case KubeadmMode.DryRun:
                // Node paths, as the staging run and the real run print them.
                var shown = certificateKey is null ? config : config.Replace(certificateKey, KubeadmOutput.Hidden, StringComparison.Ordinal);
                List<string> plan = [shown.TrimEnd(), "---", $"would write {configPath} (0600)", $"would run: kubeadm {string.Join(' ', arguments(configPath))}"];
                if (flannelManifest is not null)
                {
                    plan.Add($"would write {FlannelManifestPath} (0644)");
                    plan.Add($"next step, would run: {FlannelStep}");
                }

                plan.AddRange(MissingKubeadm());
                return plan;
            default:
                var report = new List<string>();
                report.Note(await writer.WriteAsync(configPath, config, FileModes.Mode0600, cancellationToken));
                if (flannelManifest is not null)
                {
                    report.Note(await writer.WriteAsync(FlannelManifestPath, flannelManifest, FileModes.Mode0644, cancellationToken));
                }

                report.Add($"kubeadm was not run: {writer.Root.Path} is a staging tree, not this node; on the node run: kubeadm {string.Join(' ', arguments(configPath))}");
                if (flannelManifest is not null)
                {
                    report.Add($"next step, on the node: {FlannelStep}");
                }

                return report;
        }
    }

    // On this node the real run needs kubeadm: say so now, not after the preflight of the real run (a staging tree never runs it).
    private List<string> MissingKubeadm() =>
        writer.Root.IsHost && kubeadm.MissingProblem() is { } problem ? [$"warning: {problem}; the real run will stop there"] : [];

    private async Task PreflightAsync(PreflightRequest request, CancellationToken cancellationToken)
    {
        var problems = await preflight.CheckAsync(request, cancellationToken);
        if (problems.Count > 0)
        {
            throw new ClusterException(
                $"preflight found {problems.Count} problem(s), kubeadm was not run:\n  - {string.Join("\n  - ", problems)}", ClusterErrorKind.Refused);
        }
    }

    private void WipeEtcd(string dataDir, bool wipe, List<string> report)
    {
        var full = writer.Root.Resolve(dataDir);
        if (!wipe || !Directory.Exists(full) || !Directory.EnumerateFileSystemEntries(full).Any())
        {
            return;
        }

        foreach (var entry in new DirectoryInfo(full).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo directory && entry.LinkTarget is null)
            {
                directory.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }

        report.Add($"{dataDir}: previous etcd data deleted (--wipe-etcd-data)");
    }

    private async Task<string> RunAsync(string configPath, string config, List<string> arguments, CancellationToken cancellationToken)
    {
        // 0600 file; /etc/u7s keeps its mode (the trusted keys and the service's config are read from it by others).
        await writer.WriteAsync(configPath, config, FileModes.Mode0600, cancellationToken);
        KubeadmOutcome outcome;
        try
        {
            outcome = await kubeadm.RunAsync(arguments, cancellationToken);
        }
        catch (ClusterException e)
        {
            // kubeadm never ran: the config (it holds the bootstrap token) would only be left lying around.
            writer.Delete(configPath);
            throw new ClusterException($"{e.Message}; {configPath} removed", e.Kind);
        }

        if (outcome.ExitCode != 0)
        {
            throw new ClusterException(
                $"kubeadm {arguments[0]} failed with exit code {outcome.ExitCode}; config kept in {configPath} for a retry (root only; it holds the bootstrap token: remove it when done)");
        }

        return outcome.StandardOutput;
    }

    private string? CaHashFromCertificate()
    {
        var path = writer.Root.Resolve("/etc/kubernetes/pki/ca.crt");
        if (!File.Exists(path))
        {
            return null;
        }

        using var certificate = X509CertificateLoader.LoadCertificateFromFile(path);
        return JoinSecrets.CaCertHashOf(certificate.PublicKey.ExportSubjectPublicKeyInfo());
    }

    private string Stamp(DateTimeOffset? at) =>
        at is { } value ? TimeZoneInfo.ConvertTime(value, time.LocalTimeZone).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture) : "never";
}
