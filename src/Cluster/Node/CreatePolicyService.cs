using System.Text;
using U7s.Cluster.Accounts;
using U7s.Cluster.Files;

namespace U7s.Cluster.Node;

/// <summary>
/// <c>u7s create-policy</c> (podsec-create-policy, SPEC §4): hosts line, groups, the
/// <c>/var/sigstore</c> tree, policy.json, registries.d, registries.conf, the pause image for podman
/// and CRI-O, the user-namespace and IP-forwarding sysctls. Every step compares before writing, so a second run
/// changes nothing. A node other than the registry first downloads the keys and policy.json; nothing
/// is written unless that download is complete and the policy validates.
/// </summary>
public sealed class CreatePolicyService(NodeFileWriter writer, SystemAccounts accounts, KeyFetcher fetcher, ClusterOptions options)
{
    public const string PodmanGroup = "podman";
    public const string PodmanDevGroup = "podman_dev";
    public const string IndexHtml = "<html><body><h1>SigStore works!</h1></body></html>\n";
    public const string SysctlContent = "kernel.unprivileged_userns_clone=1\n";

    /// <summary>Pod traffic is routed through the node; kubeadm's preflight and <c>u7s kubeadm</c> require it.</summary>
    public const string IpForwardContent = "net.ipv4.ip_forward = 1\n";

    public async Task<IReadOnlyList<string>> RunAsync(CreatePolicyRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!RegistryAddress.TryValidate(request.RegistryAddress, out var problem))
        {
            throw new ClusterException(problem!, ClusterErrorKind.Usage);
        }

        var registryHost = RegistryHostName.HostOf(options.RegistryName);
        if (!RegistryHostName.TryValidate(registryHost, out problem))
        {
            throw new ClusterException(problem!, ClusterErrorKind.Usage);
        }

        if (RegistryAddress.IsIpv4(registryHost) && registryHost != request.RegistryAddress && ReadsSignaturesBySigstoreName(request.Role))
        {
            // The hosts line maps the signature store's name to the registry address; an IP registry name gets no line.
            throw new ClusterException(
                $"--registry-name {registryHost} is not the registry address {request.RegistryAddress}: nodes would pull images from one host and signatures ({options.SigstoreName}) from the other; give the registry address or a host name",
                ClusterErrorKind.Usage);
        }

        var report = new List<string>();
        IReadOnlyList<FetchedFile> fetched = [];
        PolicyDocument? remotePolicy = null;
        if (request.Role == NodeRole.Node)
        {
            fetched = await fetcher.FetchAsync(new Uri(options.KeysUrl), cancellationToken);
            remotePolicy = ParseRemotePolicy(fetched);
        }

        // Everything is computed and checked first, so a refusal leaves the node exactly as it was.
        // Names only: a port belongs to the URL, and an address needs no hosts entry.
        var names = new[] { registryHost, options.SigstoreName }.Where(n => !RegistryAddress.IsIpv4(n)).Distinct().ToList();
        var hosts = names.Count > 0 ? HostsFile.Apply(writer.ReadOrNull(NodePaths.Hosts), request.RegistryAddress, names) : null;
        var policy = remotePolicy ?? LocalPolicy();
        var registriesD = RegistriesD.Render(options.LookasideUrl);
        var registries = RegistriesConf.Apply(writer.ReadOrNull(NodePaths.RegistriesConf), options.RegistryName);
        var containers = TomlTables.SetString(writer.ReadOrNull(NodePaths.ContainersConf), "engine", "infra_image", options.PauseImage);

        if (hosts is not null)
        {
            report.Note(await writer.WriteAsync(NodePaths.Hosts, hosts, FileModes.Mode0644, cancellationToken));
        }

        foreach (var group in new[] { PodmanGroup, PodmanDevGroup })
        {
            if (await accounts.EnsureGroupAsync(group, cancellationToken))
            {
                report.Add($"group {group} created");
            }
        }

        await WriteSigstoreTreeAsync(request.Role, fetched, report, cancellationToken);
        report.Note(await writer.WriteDatedAsync(NodePaths.Policy, policy.ToJson(), FileModes.Mode0644, PolicyValidator.Validate, cancellationToken));
        if (request.Role == NodeRole.Registry)
        {
            report.Note(await writer.WriteAsync(NodePaths.KeysPolicy, policy.ToJson(), FileModes.Mode0644, cancellationToken));
        }

        report.Note(await writer.WriteDatedAsync(NodePaths.RegistriesDefault, registriesD, FileModes.Mode0644, RegistriesD.Validate, cancellationToken));
        report.Note(await writer.WriteAsync(NodePaths.RegistriesConf, registries, FileModes.Mode0644, cancellationToken));
        report.Note(await writer.WriteAsync(NodePaths.ContainersConf, containers, FileModes.Mode0644, cancellationToken));
        report.Note(await writer.WriteAsync(NodePaths.CrioPauseDropIn, CrioPauseDropIn(options.PauseImage), FileModes.Mode0644, cancellationToken));
        report.Note(await writer.WriteAsync(NodePaths.Sysctl, SysctlContent, FileModes.Mode0644, cancellationToken));
        report.Note(await writer.WriteAsync(NodePaths.IpForwardSysctl, IpForwardContent, FileModes.Mode0644, cancellationToken));
        return report;
    }

    /// <summary>The CRI-O drop-in: <c>pause_image</c> MUST equal kubeadm's <c>&lt;imageRepository&gt;/pause:&lt;tag&gt;</c>.</summary>
    public static string CrioPauseDropIn(string pauseImage) =>
        $"# Written by u7s create-policy: the pod sandbox image comes from the local registry.\n[crio.image]\npause_image = \"{pauseImage}\"\n";

    // The signature store is reached by its hosts name unless both URLs this role uses name another host.
    private bool ReadsSignaturesBySigstoreName(NodeRole role) =>
        IsSigstoreHost(options.LookasideUrl) || (role == NodeRole.Node && IsSigstoreHost(options.KeysUrl));

    private bool IsSigstoreHost(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Host.Equals(options.SigstoreName, StringComparison.OrdinalIgnoreCase);

    // On the registry node an existing valid policy keeps its signer scopes; default is forced to reject.
    private PolicyDocument LocalPolicy()
    {
        var existing = writer.ReadOrNull(NodePaths.Policy);
        if (existing is null)
        {
            return PolicyDocument.Seed();
        }

        try
        {
            return PolicyDocument.Parse(existing).WithDefault("reject").WithDockerTransport();
        }
        catch (InvalidDataException e)
        {
            throw new ClusterException($"{NodePaths.Policy} is invalid ({e.Message}); fix or remove it first", ClusterErrorKind.InvalidInput);
        }
    }

    private static PolicyDocument ParseRemotePolicy(IReadOnlyList<FetchedFile> fetched)
    {
        var text = Encoding.UTF8.GetString(fetched.Single(f => f.Name == "policy.json").Content);
        PolicyDocument policy;
        try
        {
            policy = PolicyDocument.Parse(text);
        }
        catch (InvalidDataException e)
        {
            throw new ClusterException($"the signature store's policy.json is invalid: {e.Message}", ClusterErrorKind.InvalidInput);
        }

        // Key paths are node-local: each one must be a key this download brings along.
        var names = fetched.Select(f => $"{NodePaths.Keys}/{f.Name}").ToHashSet(StringComparer.Ordinal);
        var missing = policy.KeyPaths().Where(p => !names.Contains(p)).ToList();
        if (missing.Count > 0)
        {
            throw new ClusterException($"the signature store's policy.json names keys it does not list: {string.Join(", ", missing)}", ClusterErrorKind.InvalidInput);
        }

        return policy;
    }

    private async Task WriteSigstoreTreeAsync(NodeRole role, IReadOnlyList<FetchedFile> fetched, List<string> report, CancellationToken cancellationToken)
    {
        if (writer.EnsureDirectory(NodePaths.SigstoreRoot, FileModes.Mode0755))
        {
            report.Add($"{NodePaths.SigstoreRoot}: directory 0755");
        }

        var keysGroup = role == NodeRole.Registry ? PodmanDevGroup : PodmanGroup;
        await EnsureSharedDirectoryAsync(NodePaths.Keys, FileModes.Mode0775, keysGroup, report, cancellationToken);
        if (role == NodeRole.Registry)
        {
            // setgid: signature directories created by any imagemaker stay group podman_dev (SPEC §2.4).
            await EnsureSharedDirectoryAsync(NodePaths.Signatures, FileModes.Mode2775, PodmanDevGroup, report, cancellationToken);
            report.Note(await writer.WriteAsync(NodePaths.SigstoreIndex, IndexHtml, FileModes.Mode0644, cancellationToken));
            return;
        }

        foreach (var file in fetched)
        {
            report.Note(await writer.WriteBytesAsync($"{NodePaths.Keys}/{file.Name}", file.Content, FileModes.Mode0644, cancellationToken));
        }
    }

    private async Task EnsureSharedDirectoryAsync(string nodePath, UnixFileMode mode, string group, List<string> report, CancellationToken cancellationToken)
    {
        if (writer.EnsureDirectory(nodePath, mode))
        {
            await accounts.SetOwnerAsync(nodePath, "root", group, cancellationToken);
            report.Add($"{nodePath}: directory {FileModes.ToOctal(mode)} root:{group}");
        }
    }
}
