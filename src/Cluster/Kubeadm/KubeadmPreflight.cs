using System.Text.RegularExpressions;
using U7s.Cluster.Files;
using U7s.Cluster.Node;
using U7s.Oci;
using U7s.Oci.Policy;

namespace U7s.Cluster.Kubeadm;

/// <summary>
/// SPEC §5.5 step 2: every condition a signed-image cluster needs before kubeadm runs, checked
/// together so the administrator gets the complete list of problems at once (empty = go).
/// </summary>
/// <param name="judge">Judges each required image as this node's pull would, under this node's policy and lookaside.</param>
/// <param name="sysctl">The running kernel's settings; by default this node's when it is the host. A staging tree has
/// no kernel of its own: there the sysctl.d file is checked instead.</param>
public sealed partial class KubeadmPreflight(NodeFileWriter files, IImageJudge? judge, ClusterOptions options, LiveSysctl? sysctl = null)
{
    public async Task<IReadOnlyList<string>> CheckAsync(PreflightRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var problems = new List<string>();
        CheckHosts(request.AdvertiseAddress, problems);
        CheckPolicy(problems);
        CheckPauseImage(request.PauseImage, problems);
        if ((sysctl ?? (files.Root.IsHost ? new LiveSysctl() : null)) is { } live)
        {
            // kubeadm checks the running kernel; a file written but never applied does not count.
            if (live.ReadOrNull("net.ipv4.ip_forward") is var forward && forward != "1")
            {
                problems.Add($"net.ipv4.ip_forward is {forward ?? "unreadable"} in the running kernel: run u7s create-policy (or sysctl --system after writing {NodePaths.IpForwardSysctl})");
            }
        }
        else if (!IpForward().IsMatch(files.ReadOrNull(NodePaths.IpForwardSysctl) ?? string.Empty))
        {
            problems.Add($"{NodePaths.IpForwardSysctl} does not set net.ipv4.ip_forward = 1");
        }

        if (request.EtcdDataDir is { } dataDir && !request.WipeEtcdData)
        {
            var full = files.Root.Resolve(dataDir);
            if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
            {
                problems.Add($"etcd data directory {dataDir} is not empty (an earlier cluster?): pass --wipe-etcd-data to delete it");
            }
        }

        await CheckImagesAsync(request.Images, problems, cancellationToken);
        return problems;
    }

    private void CheckHosts(string? advertise, List<string> problems)
    {
        var addresses = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in (files.ReadOrNull(NodePaths.Hosts) ?? string.Empty).Split('\n'))
        {
            var fields = line.Split('#', 2)[0].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            foreach (var name in fields.Skip(1))
            {
                addresses.TryAdd(name, fields[0]);
            }
        }

        var registryHost = RegistryHostName.HostOf(options.RegistryName);
        var registry = RegistryAddress.IsIpv4(registryHost) ? registryHost : addresses.GetValueOrDefault(registryHost);
        var sigstore = addresses.GetValueOrDefault(options.SigstoreName);
        // A registry named by its address whose signatures the node's registries.d reads from a URL that names no
        // sigstore.local (create-policy --registry-name 10.0.0.10 --lookaside-url http://10.0.0.10:81/sigstore/) needs no hosts line.
        var needsSigstore = !RegistryAddress.IsIpv4(registryHost) || ReadsSignaturesBySigstoreName();
        if (registry is null || (needsSigstore && sigstore is null))
        {
            problems.Add($"{NodePaths.Hosts} does not map {registryHost} and {options.SigstoreName}: run u7s create-policy");
        }
        else if (needsSigstore && registry != sigstore)
        {
            problems.Add($"{NodePaths.Hosts} maps {registryHost} to {registry} but {options.SigstoreName} to {sigstore}");
        }

        if (registry is not null && registry == advertise)
        {
            problems.Add($"the advertise address {advertise} is the registry address: give the API server another address");
        }
    }

    private bool ReadsSignaturesBySigstoreName()
    {
        Uri? lookaside;
        try
        {
            lookaside = RegistriesD.LookasideFor(files.ReadOrNull(NodePaths.RegistriesDefault) is { } yaml ? [yaml] : [], $"{options.RegistryName}/{options.Platform}/pause");
        }
        catch (InvalidDataException)
        {
            return true;
        }

        return lookaside is null || lookaside.Host.Equals(options.SigstoreName, StringComparison.OrdinalIgnoreCase);
    }

    private void CheckPolicy(List<string> problems)
    {
        var text = files.ReadOrNull(NodePaths.Policy);
        if (text is null)
        {
            problems.Add($"{NodePaths.Policy} does not exist: run u7s create-policy");
            return;
        }

        EditablePolicy policy;
        try
        {
            policy = EditablePolicy.Parse(text);
        }
        catch (InvalidDataException e)
        {
            problems.Add($"{NodePaths.Policy} is invalid: {e.Message}");
            return;
        }

        if (!policy.DefaultIsReject)
        {
            problems.Add($"{NodePaths.Policy}: default is not reject (unsigned images would run)");
        }

        if (!policy.DockerScopes().Any(s => s == options.RegistryName || s.StartsWith(options.RegistryName + "/", StringComparison.Ordinal)))
        {
            problems.Add($"{NodePaths.Policy} trusts no signer for {options.RegistryName}: run u7s create-imagemakeruser (registry node) or u7s create-policy (other nodes)");
        }
    }

    private void CheckPauseImage(string expected, List<string> problems)
    {
        // CRI-O reads crio.conf, then the drop-ins in name order; the last assignment wins.
        var sources = new List<string> { "/etc/crio/crio.conf" };
        var dropIns = files.Root.Resolve("/etc/crio/crio.conf.d");
        if (Directory.Exists(dropIns))
        {
            sources.AddRange(Directory.GetFiles(dropIns, "*.conf").Order(StringComparer.Ordinal).Select(files.Root.ToNodePath));
        }

        var value = sources.Select(s => TomlTables.GetString(files.ReadOrNull(s), "crio.image", "pause_image")).LastOrDefault(v => v is not null);
        if (value != expected)
        {
            problems.Add($"CRI-O pause_image is {value ?? "not set"}, expected {expected}: run u7s create-policy");
        }
    }

    private async Task CheckImagesAsync(IReadOnlyList<string> images, List<string> problems, CancellationToken cancellationToken)
    {
        if (judge is null)
        {
            problems.Add("image verification is not configured: cannot prove the required images are present and signed");
            return;
        }

        foreach (var image in images)
        {
            if (!Reference.TryParse(image, out var reference) || reference.Host is null)
            {
                problems.Add($"{image}: not a registry image reference");
                continue;
            }

            ImageVerdict verdict;
            try
            {
                verdict = await judge.JudgeAsync(reference, cancellationToken);
            }
            catch (ImageJudgeException e) when (e.Manifest is null)
            {
                problems.Add($"{image}: registry unreachable: {e.Message}");
                continue;
            }
            catch (ImageJudgeException e)
            {
                problems.Add($"{image}: signature does not verify under {NodePaths.Policy} ({e.Message})");
                continue;
            }

            if (!verdict.Exists)
            {
                problems.Add($"{image}: not in the registry");
            }
            else if (!verdict.IsAccepted)
            {
                problems.Add($"{image}: signature does not verify under {NodePaths.Policy} ({verdict.Digest}: {verdict.Reason})");
            }
        }
    }

    [GeneratedRegex(@"(?m)^\s*net\.ipv4\.ip_forward\s*=\s*1\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex IpForward();
}
