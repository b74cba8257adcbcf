using System.Text;
using U7s.Cluster.Accounts;
using U7s.Cluster.Files;

namespace U7s.Cluster.Node;

/// <summary>
/// <c>u7s create-policy</c> (podsec-create-policy, SPEC §4): hosts line, groups, the
/// <c>/var/sigstore</c> tree, policy.json, registries.d, registries.conf, the pause image for podman
/// and CRI-O, the user-namespace and IP-forwarding sysctls. Every step compares before writing, so a second run
/// changes nothing. A node other than the registry first downloads the keys and policy.json; nothing
/// is written unless that download is complete, the policy validates and the trust it gives is accepted: on the
/// first download (no key trusted yet) it is, and its fingerprints are printed; later, any change of which keys
/// are trusted for which images is refused unless the admin accepts it (<see cref="CreatePolicyRequest.AcceptNewKeys"/>),
/// and <see cref="CreatePolicyRequest.TrustedFingerprints"/> pins the keys outright. The accepted keys go to the
/// root-owned <see cref="NodePaths.TrustedKeys"/> (<see cref="TrustedKeys"/>), never to a directory others can write.
/// The sysctls written are applied to the running kernel (<paramref name="sysctl"/>; by default on the host, never
/// for a staging tree), so the preflight that checks the live values passes without a reboot.
/// </summary>
public sealed class CreatePolicyService(NodeFileWriter writer, SystemAccounts accounts, KeyFetcher fetcher, IKeyInspector inspector, ClusterOptions options, LiveSysctl? sysctl = null)
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

        // Names only: a port belongs to the URL, and an address needs no hosts entry.
        var names = new[] { registryHost, options.SigstoreName }.Where(n => !RegistryAddress.IsIpv4(n)).Distinct().ToList();
        var report = new List<string>();
        var keys = new TrustedKeys(writer, string.Empty);
        EditablePolicy policy;
        IReadOnlyDictionary<string, byte[]> trustedKeys;
        if (request.Role == NodeRole.Node)
        {
            // The hosts line naming the store is written only after the download is accepted, so a name this run maps
            // is reached at the given address directly (a fresh node has no such line; an old one may name another host).
            var keysUrl = new Uri(options.KeysUrl);
            var connectTo = names.Contains(keysUrl.Host, StringComparer.OrdinalIgnoreCase) ? request.RegistryAddress : null;
            var fetched = await fetcher.FetchAsync(keysUrl, cancellationToken, connectTo);
            var served = ParseRemotePolicy(fetched);
            trustedKeys = fetched.Where(f => served.KeyPaths().Contains($"{NodePaths.Keys}/{f.Name}")).ToDictionary(f => f.Name, f => f.Content, StringComparer.Ordinal);
            report.AddRange(AcceptTrust(request, keys, served, trustedKeys));
            policy = keys.ToTrusted(served);
        }
        else
        {
            (policy, trustedKeys) = LocalPolicy(keys);
        }

        // Everything is computed and checked first, so a refusal leaves the node exactly as it was.
        var hosts = names.Count > 0 ? HostsFile.Apply(writer.ReadOrNull(NodePaths.Hosts), request.RegistryAddress, names) : null;
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

        if (request.Role == NodeRole.Registry)
        {
            await WriteSigstoreTreeAsync(report, cancellationToken);
        }

        await keys.InstallAsync(trustedKeys, report, cancellationToken);
        if (request.Role == NodeRole.Node)
        {
            RemoveUntrusted(policy, report);
        }

        report.Note(await writer.WriteDatedAsync(NodePaths.Policy, policy.ToJson(), FileModes.Mode0644, EditablePolicy.Validate, cancellationToken));
        if (request.Role == NodeRole.Registry)
        {
            report.Note(await writer.WriteAsync(NodePaths.KeysPolicy, keys.ToServed(policy).ToJson(), FileModes.Mode0644, cancellationToken));
        }

        report.AddRange(keys.Missing(policy));

        report.Note(await writer.WriteDatedAsync(NodePaths.RegistriesDefault, registriesD, FileModes.Mode0644, RegistriesD.Validate, cancellationToken));
        report.Note(await writer.WriteAsync(NodePaths.RegistriesConf, registries, FileModes.Mode0644, cancellationToken));
        report.Note(await writer.WriteAsync(NodePaths.ContainersConf, containers, FileModes.Mode0644, cancellationToken));
        report.Note(await writer.WriteAsync(NodePaths.CrioPauseDropIn, CrioPauseDropIn(options.PauseImage), FileModes.Mode0644, cancellationToken));
        report.Note(await writer.WriteAsync(NodePaths.Sysctl, SysctlContent, FileModes.Mode0644, cancellationToken));
        report.Note(await writer.WriteAsync(NodePaths.IpForwardSysctl, IpForwardContent, FileModes.Mode0644, cancellationToken));
        if ((sysctl ?? (writer.Root.IsHost ? new LiveSysctl() : null)) is { } live)
        {
            report.AddRange(live.Apply(NodePaths.Sysctl, SysctlContent));
            report.AddRange(live.Apply(NodePaths.IpForwardSysctl, IpForwardContent));
        }

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

    // On the registry node an existing valid policy keeps its signer scopes; default is forced to reject. Key paths
    // into the served keys/ (an older install's) move to the trusted copies, written from the authorization file.
    private (EditablePolicy Policy, IReadOnlyDictionary<string, byte[]> Keys) LocalPolicy(TrustedKeys keys)
    {
        var existing = writer.ReadOrNull(NodePaths.Policy);
        if (existing is null)
        {
            return (EditablePolicy.Seed(), new Dictionary<string, byte[]>());
        }

        EditablePolicy policy;
        try
        {
            policy = keys.ToTrusted(EditablePolicy.Parse(existing).WithDefault("reject").WithDockerTransport());
        }
        catch (InvalidDataException e)
        {
            throw new ClusterException($"{NodePaths.Policy} is invalid ({e.Message}); fix or remove it first", ClusterErrorKind.InvalidInput);
        }

        var authorized = keys.ReadAuthorization(options.Signers)?.Keys ?? new Dictionary<string, string>();
        var named = policy.KeyPaths().Select(keys.TrustedFileName).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return (policy, authorized.Where(k => named.Contains($"{k.Key}.pgp")).ToDictionary(k => $"{k.Key}.pgp", k => Encoding.ASCII.GetBytes(k.Value), StringComparer.Ordinal));
    }

    /// <summary>
    /// Whether this node takes the downloaded trust: the first time (nothing trusted yet) it does and says which keys,
    /// later only an identical one unless the admin accepts the change; pinned fingerprints always bound it.
    /// </summary>
    private IEnumerable<string> AcceptTrust(CreatePolicyRequest request, TrustedKeys keys, EditablePolicy served, IReadOnlyDictionary<string, byte[]> downloaded)
    {
        NodeTrust offered;
        try
        {
            offered = NodeTrust.Of(served, path => downloaded.TryGetValue(Path.GetFileName(path), out var key) ? key : null, inspector);
        }
        catch (ClusterException e) when (e.Kind == ClusterErrorKind.InvalidInput)
        {
            throw new ClusterException($"the signature store's {e.Message}", ClusterErrorKind.InvalidInput);
        }

        var pinned = (request.TrustedFingerprints ?? []).Select(f => f.ToUpperInvariant()).ToHashSet(StringComparer.Ordinal);
        if (pinned.Count > 0 && offered.Keys.Where(k => !pinned.Contains(k.Fingerprint)).ToList() is { Count: > 0 } unpinned)
        {
            throw new ClusterException(
                $"the signature store's policy trusts keys not given with --trust-fingerprint: {string.Join("; ", unpinned)}; nothing was changed",
                ClusterErrorKind.Refused);
        }

        // An honest registry node never serves a policy that lets unsigned images through (create-policy forces
        // default reject); a group member editing keys/policy.json would.
        if (Opens(served) is { } open && !request.AcceptNewKeys)
        {
            throw new ClusterException(
                $"the signature store's policy accepts unsigned images ({open}); nothing was changed; if that is meant, run again with --accept-new-keys",
                ClusterErrorKind.Refused);
        }

        var installed = InstalledTrust(keys);
        if (installed is null)
        {
            return offered.Keys.Count == 0
                ? []
                : [.. offered.Keys.Select(k => $"trusting key {k} (first download{(pinned.Count > 0 ? ", pinned" : ": compare with what create-imagemakeruser printed on the registry node")})"), .. offered.Lines.Select(l => "  " + l.Shown)];
        }

        var added = offered.Except(installed).Select(l => "  + " + l.Shown).ToList();
        var removed = installed.Except(offered).Select(l => "  - " + l.Shown).ToList();
        if (added.Count + removed.Count == 0)
        {
            return [];
        }

        if (!request.AcceptNewKeys)
        {
            throw new ClusterException(
                $"the signature store's policy changes which keys this node trusts:\n{string.Join("\n", added.Concat(removed))}\nnothing was changed; check the fingerprints with the registry node's admin, then run again with --accept-new-keys",
                ClusterErrorKind.Refused);
        }

        return ["trust changed (--accept-new-keys):", .. added, .. removed];
    }

    private static string? Opens(EditablePolicy policy) =>
        policy.Requirements().Where(r => (string?)r.Requirement["type"] == "insecureAcceptAnything").Select(r => r.Where).FirstOrDefault();

    // What the installed policy trusts through keys in the trusted directory; null when it trusts none there yet.
    private NodeTrust? InstalledTrust(TrustedKeys keys)
    {
        EditablePolicy installed;
        try
        {
            installed = writer.ReadOrNull(NodePaths.Policy) is { } text ? EditablePolicy.Parse(text) : EditablePolicy.Seed();
        }
        catch (InvalidDataException)
        {
            return null;
        }

        if (!installed.KeyPaths().Any(p => keys.TrustedFileName(p) is not null))
        {
            return null;
        }

        return NodeTrust.Of(installed, path => keys.TrustedFileName(path) is { } name ? writer.ReadBytesOrNull($"{NodePaths.TrustedKeys}/{name}") : null, inspector);
    }

    // A key no longer named stays out of the trusted directory, which u7s verify reads whole.
    private void RemoveUntrusted(EditablePolicy policy, List<string> report)
    {
        var named = policy.KeyPaths().Select(p => Path.GetFileName(p)).ToHashSet(StringComparer.Ordinal);
        foreach (var name in writer.EntriesOrNull(NodePaths.TrustedKeys) ?? [])
        {
            if (name.EndsWith(".pgp", StringComparison.Ordinal) && !named.Contains(name) && writer.Delete($"{NodePaths.TrustedKeys}/{name}"))
            {
                report.Add($"{NodePaths.TrustedKeys}/{name}: removed (no longer in the policy)");
            }
        }
    }

    private static EditablePolicy ParseRemotePolicy(IReadOnlyList<FetchedFile> fetched)
    {
        var text = Encoding.UTF8.GetString(fetched.Single(f => f.Name == "policy.json").Content);
        EditablePolicy policy;
        try
        {
            policy = EditablePolicy.Parse(text);
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

    // Only the registry node serves the tree: other nodes keep their trusted keys under /etc/u7s/keys instead.
    private async Task WriteSigstoreTreeAsync(List<string> report, CancellationToken cancellationToken)
    {
        if (writer.EnsureDirectory(NodePaths.SigstoreRoot, FileModes.Mode0755))
        {
            report.Add($"{NodePaths.SigstoreRoot}: directory 0755");
        }

        EnsureSharedDirectory(NodePaths.Keys, FileModes.Mode0775, PodmanDevGroup, report);

        // setgid: signature directories created by any imagemaker stay group podman_dev (SPEC §2.4).
        EnsureSharedDirectory(NodePaths.Signatures, FileModes.Mode2775, PodmanDevGroup, report);
        report.Note(await writer.WriteAsync(NodePaths.SigstoreIndex, IndexHtml, FileModes.Mode0644, cancellationToken));
    }

    private void EnsureSharedDirectory(string nodePath, UnixFileMode mode, string group, List<string> report)
    {
        if (writer.EnsureDirectory(nodePath, mode, accounts.OwnerOf("root", group)))
        {
            report.Add($"{nodePath}: directory {FileModes.ToOctal(mode)} root:{group}");
        }
    }
}
