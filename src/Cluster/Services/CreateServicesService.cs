using U7s.Cluster.Accounts;
using U7s.Cluster.Files;

namespace U7s.Cluster.Services;

/// <summary>
/// <c>u7s create-services</c>: writes <see cref="ServiceUnit"/> under the root and, when systemd runs
/// on this machine, enables it: <c>daemon-reload</c> and <c>enable --now</c> on the node itself, or an
/// offline <c>systemctl --root DIR enable</c> for a staging tree (nothing is started then).
/// </summary>
public sealed class CreateServicesService(NodeFileWriter writer, IProcessRunner runner)
{
    public async Task<IReadOnlyList<string>> RunAsync(string executablePath, string? configPath, bool systemdRunning, CancellationToken cancellationToken)
    {
        var report = new List<string>();
        var change = await writer.WriteAsync(ServiceUnit.NodePath, ServiceUnit.Render(executablePath, configPath), FileModes.Mode0644, cancellationToken);
        if (change.Changed)
        {
            report.Add(change.ToString());
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
            report.Add($"systemd is not running here: {ServiceUnit.Name} was not enabled; start `{executablePath} serve` by other means");
            return report;
        }

        if (writer.Root.IsHost)
        {
            await RunAsync(["daemon-reload"], cancellationToken);
            await RunAsync(["enable", "--now", ServiceUnit.Name], cancellationToken);
            report.Add($"{ServiceUnit.Name} enabled and started");
        }
        else
        {
            await RunAsync(["--root", writer.Root.Path, "enable", ServiceUnit.Name], cancellationToken);
            report.Add($"{ServiceUnit.Name} enabled in {writer.Root.Path} (not started)");
        }

        return report;
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
