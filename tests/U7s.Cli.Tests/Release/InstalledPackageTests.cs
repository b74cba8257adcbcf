using U7s.Cluster.Services;

namespace U7s.Cli.Tests.Release;

/// <summary>
/// The release artifacts as an admin meets them: the .deb installed into a clean root, its
/// <c>u7s</c> run with no .NET anywhere in sight, a signed pull through it with skopeo; the .rpm and
/// the tarball holding the same files.
/// </summary>
public sealed class InstalledPackageTests(InstalledPackageFixture fixture) : IClassFixture<InstalledPackageFixture>
{
    private static readonly string[] PackagedFiles = ["/etc/u7s/u7s.yaml", "/lib/systemd/system/u7s.service", "/usr/bin/u7s", "/usr/share/doc/u7s/README.md"];

    [RequiresReleaseFact("skopeo", "dpkg", "unshare")]
    public async Task InstalledDeb_WithoutDotnet_ServesASignedPull()
    {
        await fixture.AssertSignedPullAsync("release");
    }

    [RequiresReleaseFact("skopeo", "dpkg", "unshare")]
    public async Task InstalledDeb_NativeBinaryUnitConffileAndVersion()
    {
        var listed = await ExternalProcess.RunAsync("dpkg-query", [$"--admindir={fixture.Root}/var/lib/dpkg", "-L", "u7s"]);
        var conffiles = await ExternalProcess.RunAsync("dpkg-query", [$"--admindir={fixture.Root}/var/lib/dpkg", "-W", "-f=${Conffiles}", "u7s"]);
        var version = await WithoutDotnet.RunAsync(fixture.Installed, "--version");

        Assert.Subset(listed.EnsureSuccess("dpkg-query -L").StandardOutput.Split('\n').ToHashSet(), PackagedFiles.ToHashSet());
        Assert.StartsWith(" /etc/u7s/u7s.yaml ", conffiles.EnsureSuccess("dpkg-query -W").StandardOutput, StringComparison.Ordinal);
        Assert.Equal(ServiceUnit.Render(new ServiceRequest("/usr/bin/u7s", ConfigPath: "/etc/u7s/u7s.yaml", NativeCode: true)), File.ReadAllText(Path.Combine(fixture.Root, "lib/systemd/system/u7s.service")));
        Assert.Equal(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "packaging", "u7s.yaml")), File.ReadAllText(Path.Combine(fixture.Root, "etc/u7s/u7s.yaml")));
        Assert.True(version.ExitCode == 0, version.StandardError);
        Assert.StartsWith(ReleaseArtifacts.Version, version.StandardOutput, StringComparison.Ordinal);
        // A native executable: ELF, and nothing managed installed beside it.
        Assert.Equal("\x7f" + "ELF", new string(File.ReadAllBytes(fixture.Installed).Take(4).Select(b => (char)b).ToArray()));
        Assert.Empty(Directory.GetFiles(fixture.Root, "*.dll", SearchOption.AllDirectories));
    }

    [RequiresReleaseFact("skopeo", "dpkg", "unshare", "rpm", "tar")]
    public async Task RpmAndTarball_HoldTheDebsFiles()
    {
        var rpmFiles = (await ExternalProcess.RunAsync("rpm", ["-qlp", ReleaseArtifacts.Rpm])).EnsureSuccess("rpm -qlp").StandardOutput;
        var rpmConfig = (await ExternalProcess.RunAsync("rpm", ["-qp", "--configfiles", ReleaseArtifacts.Rpm])).EnsureSuccess("rpm -qp --configfiles").StandardOutput;
        var tarFiles = (await ExternalProcess.RunAsync("tar", ["-tzf", ReleaseArtifacts.Tarball])).EnsureSuccess("tar -t").StandardOutput;
        var unpacked = fixture.Temp.Combine("tarball");
        Directory.CreateDirectory(unpacked);
        (await ExternalProcess.RunAsync("tar", ["-xzf", ReleaseArtifacts.Tarball, "-C", unpacked])).EnsureSuccess("tar -x");
        var folder = Path.Combine(unpacked, $"u7s-{ReleaseArtifacts.Version}-linux-amd64");

        Assert.Equal(["/etc/u7s", .. PackagedFiles], rpmFiles.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        Assert.Equal("/etc/u7s/u7s.yaml\n", rpmConfig);
        Assert.Equal(
            ["README.md", "u7s", "u7s.service", "u7s.yaml"],
            tarFiles.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(f => !f.EndsWith('/')).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(File.ReadAllBytes(fixture.Installed), File.ReadAllBytes(Path.Combine(folder, "u7s")));
        Assert.Equal(File.ReadAllText(Path.Combine(fixture.Root, "lib/systemd/system/u7s.service")), File.ReadAllText(Path.Combine(folder, "u7s.service")));
    }
}
