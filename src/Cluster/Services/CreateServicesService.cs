using U7s.Cluster.Accounts;
using U7s.Cluster.Files;
using U7s.Cluster.Node;

namespace U7s.Cluster.Services;

/// <summary>
/// <c>u7s create-services</c>: the service account, the data root it owns, <see cref="ServiceUnit"/>
/// under the root and, when systemd runs on this machine, the unit enabled: <c>daemon-reload</c>,
/// <c>enable</c> and a (re)start on the node itself, or an offline <c>systemctl --root DIR enable</c> for a
/// staging tree (nothing is started then).
/// <para>
/// Ownership: the data root is <c>u7s:u7s</c> 0750, only the service reads and writes the registry. The
/// signature tree keeps podsec's layout (SPEC §3.7: <c>sigstore/</c> 2775 <c>root:podman_dev</c>, written by
/// imagemakers directly); the service account is a member of <c>podman_dev</c>, which is how it adds
/// uploaded signatures there.
/// </para>
/// </summary>
public sealed class CreateServicesService(NodeFileWriter writer, SystemAccounts accounts, IProcessRunner runner)
{
    private static readonly UnixFileMode DataRootMode = FileModes.Mode0700 | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    public async Task<IReadOnlyList<string>> RunAsync(ServiceRequest request, bool systemdRunning, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var unit = ServiceUnit.Render(request);
        var report = new List<string>();
        await EnsureAccountAsync(request, report, cancellationToken);

        var change = await writer.WriteAsync(ServiceUnit.NodePath, unit, FileModes.Mode0644, cancellationToken);
        if (change.Changed)
        {
            report.Add(change.ToString());
        }

        if (!Directory.Exists(writer.Root.Resolve(request.SigstoreRoot + "/sigstore")))
        {
            report.Add($"{request.SigstoreRoot}/sigstore does not exist: run u7s create-policy --role registry so the service can store signatures");
        }

        // podsec ran the distro's nginx (:81) and docker-registry (:80): enabled, they would take the ports.
        foreach (var old in new[] { "nginx.service", "docker-registry.service" })
        {
            // Only looked at, never followed: wants/ links are absolute and point into the distro's /lib.
            var link = new FileInfo(Path.Join(writer.Root.Path, "etc/systemd/system/multi-user.target.wants", old));
            if (link.Exists || link.LinkTarget is not null)
            {
                report.Add($"{old} is enabled and would hold :80/:81: run systemctl disable --now {old}");
            }
        }

        if (!systemdRunning)
        {
            report.Add($"systemd is not running here: {ServiceUnit.Name} was not enabled; start `{request.ExecutablePath} serve` by other means");
            return report;
        }

        if (writer.Root.IsHost)
        {
            await RunAsync(["daemon-reload"], cancellationToken);
            await RunAsync(["enable", ServiceUnit.Name], cancellationToken);

            // A running service keeps its old unit (and its old user) until it restarts.
            await RunAsync([change.Changed ? "restart" : "start", ServiceUnit.Name], cancellationToken);
            report.Add($"{ServiceUnit.Name} enabled and {(change.Changed ? "(re)started" : "started")}");
        }
        else
        {
            await RunAsync(["--root", writer.Root.Path, "enable", ServiceUnit.Name], cancellationToken);
            report.Add($"{ServiceUnit.Name} enabled in {writer.Root.Path} (not started)");
        }

        return report;
    }

    private async Task EnsureAccountAsync(ServiceRequest request, List<string> report, CancellationToken cancellationToken)
    {
        if (await accounts.EnsureGroupAsync(CreatePolicyService.PodmanDevGroup, cancellationToken))
        {
            report.Add($"group {CreatePolicyService.PodmanDevGroup} created");
        }

        var created = accounts.FindUser(ServiceUnit.User) is null;
        if (await accounts.EnsureSystemUserAsync(ServiceUnit.User, request.DataRoot, [CreatePolicyService.PodmanDevGroup], cancellationToken) is { } note)
        {
            report.Add(note);
        }

        var user = accounts.FindUser(ServiceUnit.User) ?? throw new ClusterException($"user {ServiceUnit.User} is missing after useradd");
        if (writer.EnsureDirectory(request.DataRoot, DataRootMode))
        {
            report.Add($"{request.DataRoot}: directory {FileModes.ToOctal(DataRootMode)}");
        }

        // Every run, not only the first: blobs and uploads written while the service ran as root (or by an
        // admin's u7s gc) must stay writable by the service user. The service user owns this tree and could have
        // linked root's files into it: links are never followed, and a file with other hard links keeps its owner.
        foreach (var shared in writer.SetOwnerRecursive(request.DataRoot, new FileOwner(user.Uid, user.Gid)))
        {
            report.Add($"WARNING: {shared} has other hard links (it may be another user's file) or lies too deep: its owner was left as it is");
        }
        if (created)
        {
            report.Add($"{request.DataRoot}: owned by {ServiceUnit.User}:{ServiceUnit.User}");
            report.Add($"u7s serve runs as user {ServiceUnit.User} from now on: files it reads (htpasswd, TLS keys, config) must be readable by it, e.g. chgrp {ServiceUnit.User} FILE && chmod 0640 FILE");
        }
    }

    private async Task RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var outcome = await runner.RunAsync("systemctl", arguments, cancellationToken);
        if (outcome.ExitCode != 0)
        {
            throw new ClusterException($"systemctl {string.Join(' ', arguments)} failed: {outcome.FirstErrorLine}");
        }
    }
}
