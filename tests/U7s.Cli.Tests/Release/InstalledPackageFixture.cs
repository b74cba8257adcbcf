using U7s.Cli.Tests.Commands;

namespace U7s.Cli.Tests.Release;

/// <summary>
/// The release .deb installed with dpkg into a clean root (its own dpkg database, nothing else), and
/// the installed <c>/usr/bin/u7s</c> run with no .NET visible (<see cref="WithoutDotnet"/>): it serves,
/// with the packaged config, and it imports keys and signs for the signed-pull helpers.
/// </summary>
public sealed class InstalledPackageFixture : SignedPullFixture
{
    public string Root => Temp.Combine("root");

    public string Installed => Path.Combine(Root, "usr/bin/u7s");

    protected override bool Skipped =>
        base.Skipped || !Environment.IsPrivilegedProcess || ReleaseArtifacts.SkipReason is not null || Tool.Find("dpkg") is null || Tool.Find("unshare") is null;

    protected override async Task<U7sProcess> StartServerAsync()
    {
        foreach (var d in new[] { "var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers" })
        {
            Directory.CreateDirectory(Path.Combine(Root, d));
        }

        await File.WriteAllTextAsync(Path.Combine(Root, "var/lib/dpkg/status"), string.Empty);

        // The root has no libc or shell of its own: dependencies are the host's, and the maintainer
        // scripts run outside it with DPKG_ROOT set (they leave a root other than / alone).
        (await ExternalProcess.RunAsync("dpkg", [$"--root={Root}", "--log=/dev/null", "--force-depends", "--force-script-chrootless", "-i", ReleaseArtifacts.Deb]))
            .EnsureSuccess("dpkg -i");
        return await U7sProcess.StartAsync(
            WithoutDotnet.Command(Installed), Temp.Combine("data"), SigstoreRoot, new Dictionary<string, string>(), "--config", Path.Combine(Root, "etc/u7s/u7s.yaml"));
    }

    public override async Task<CliResult> CliAsync(params string[] args)
    {
        var result = await WithoutDotnet.RunAsync(Installed, args);
        return new CliResult(result.ExitCode, result.StandardOutput, result.StandardError);
    }
}
