using U7s.Cli.Commands;
using U7s.Cli.Tests.Support;
using U7s.Cluster.Files;
using U7s.Cluster.Services;
using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

public sealed class CreateServicesCommandTests : IDisposable
{
    // The unit's content is pinned in the Cluster tests (keys, systemd-analyze verify); here: the verb writes that unit.
    private static readonly string Unit = ServiceUnit.Render(new ServiceRequest("/opt/u7s/u7s"));

    private readonly TempDirectory _root = new("u7s-svc-root");
    private readonly TempDirectory _run = new("u7s-svc-run");
    private readonly RecordingProcessRunner _runner = new();

    public void Dispose()
    {
        _root.Dispose();
        _run.Dispose();
    }

    private NodeEnvironment Environment(bool systemd, bool privileged = false)
    {
        var marker = _run.Combine("systemd", "system");
        if (systemd)
        {
            Directory.CreateDirectory(marker);
        }

        return new() { Runner = _runner, IsPrivileged = () => privileged, SystemdMarker = marker, ExecutablePath = "/opt/u7s/u7s" };
    }

    [Fact]
    public async Task CreateServices_StagingRootWithSystemd_WritesUnitAndEnablesOffline()
    {
        var (code, stdout, stderr) = await CommandHarness.RunAsync(CreateServicesCommand.Create(Environment(systemd: true)), "--root", _root.Path);

        Assert.True(code == 0, stderr);
        Assert.Equal(Unit, File.ReadAllText(_root.Combine("etc/systemd/system/u7s.service")));
        Assert.Equal(FileModes.Mode0644, FileModes.Get(_root.Combine("etc/systemd/system/u7s.service")));
        Assert.Equal(
            [
                $"groupadd --prefix {_root.Path} podman_dev",
                $"useradd --prefix {_root.Path} --system --user-group --no-create-home --home-dir /var/lib/u7s --shell /usr/sbin/nologin -G podman_dev u7s",
                $"chown -R 1001:1001 {_root.Path}/var/lib/u7s",
                $"systemctl --root {_root.Path} enable u7s.service",
            ],
            _runner.Calls);
        Assert.Contains("/etc/systemd/system/u7s.service: created", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateServices_PodsecServicesEnabled_SaysToDisableThem()
    {
        Directory.CreateDirectory(_root.Combine("etc/systemd/system/multi-user.target.wants"));
        File.CreateSymbolicLink(_root.Combine("etc/systemd/system/multi-user.target.wants/nginx.service"), "/lib/systemd/system/nginx.service");
        File.WriteAllText(_root.Combine("etc/systemd/system/multi-user.target.wants/docker-registry.service"), "[Unit]\n");

        var (code, stdout, _) = await CommandHarness.RunAsync(CreateServicesCommand.Create(Environment(systemd: false)), "--root", _root.Path);

        Assert.Equal(0, code);
        Assert.Contains("nginx.service is enabled and would hold :80/:81: run systemctl disable --now nginx.service", stdout, StringComparison.Ordinal);
        Assert.Contains("docker-registry.service is enabled and would hold :80/:81: run systemctl disable --now docker-registry.service", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateServices_NoSystemd_WritesUnitRunsNoSystemctl()
    {
        var (code, stdout, _) = await CommandHarness.RunAsync(CreateServicesCommand.Create(Environment(systemd: false)), "--root", _root.Path);

        Assert.Equal(0, code);
        Assert.Equal(Unit, File.ReadAllText(_root.Combine("etc/systemd/system/u7s.service")));
        Assert.DoesNotContain(_runner.Calls, c => c.StartsWith("systemctl", StringComparison.Ordinal));
        Assert.Contains("systemd is not running here", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateServices_SystemctlFails_ExitFailureWithToolMessage()
    {
        _runner.Failures["systemctl"] = "Failed to enable unit: Unit file u7s.service does not exist.";

        var (code, _, stderr) = await CommandHarness.RunAsync(CreateServicesCommand.Create(Environment(systemd: true)), "--root", _root.Path);

        Assert.Equal(ExitCodes.Failure, code);
        Assert.Equal($"u7s: systemctl --root {_root.Path} enable u7s.service failed: Failed to enable unit: Unit file u7s.service does not exist.\n", stderr);
    }

    [Fact]
    public async Task CreateServices_OtherTrees_UnitServesAndWritesThem()
    {
        var (code, _, stderr) = await CommandHarness.RunAsync(CreateServicesCommand.Create(Environment(systemd: false)), "--root", _root.Path, "--data", "/srv/registry", "--sigstore-root", "/srv/sigstore");

        Assert.True(code == 0, stderr);
        var unit = File.ReadAllText(_root.Combine("etc/systemd/system/u7s.service"));
        Assert.Contains("ExecStart=/opt/u7s/u7s serve --data /srv/registry --sigstore-root /srv/sigstore\n", unit, StringComparison.Ordinal);
        Assert.Contains("ReadWritePaths=/srv/registry -/srv/sigstore\n", unit, StringComparison.Ordinal);
        Assert.True(Directory.Exists(_root.Combine("srv/registry")));
        Assert.Contains($"chown -R 1001:1001 {_root.Path}/srv/registry", _runner.Calls);
    }

    [Fact]
    public async Task CreateServices_RelativeExecutable_UsageError()
    {
        var (code, _, stderr) = await CommandHarness.RunAsync(CreateServicesCommand.Create(Environment(systemd: true)), "--root", _root.Path, "--exec", "u7s");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("absolute executable path", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [Fact]
    public async Task CreateServices_Config_ServeReadsIt()
    {
        var (code, _, stderr) = await CommandHarness.RunAsync(CreateServicesCommand.Create(Environment(systemd: false)), "--root", _root.Path, "--config", "/etc/u7s/u7s.yaml");

        Assert.True(code == 0, stderr);
        Assert.Equal(
            // The config alone: a flag beside it would override the setting in the file.
            Unit.Replace("ExecStart=/opt/u7s/u7s serve --data /var/lib/u7s --sigstore-root /var/sigstore\n", "ExecStart=/opt/u7s/u7s serve --config /etc/u7s/u7s.yaml\n", StringComparison.Ordinal),
            File.ReadAllText(_root.Combine("etc/systemd/system/u7s.service")));
    }

    [Theory]
    [InlineData("u7s.yaml")]
    [InlineData("/etc/u7s/my config.yaml")]
    [InlineData("/etc/u7s/%i.yaml")]
    public async Task CreateServices_ConfigNotAbsoluteOrSpecial_UsageErrorNothingWritten(string config)
    {
        var (code, _, stderr) = await CommandHarness.RunAsync(CreateServicesCommand.Create(Environment(systemd: true)), "--root", _root.Path, "--config", config);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("absolute config path", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
        Assert.Empty(_runner.Calls);
    }

    [Fact]
    public async Task CreateServices_OnHostWithoutPrivileges_Refused()
    {
        var (code, _, _) = await CommandHarness.RunAsync(CreateServicesCommand.Create(Environment(systemd: true)));

        Assert.Equal(ExitCodes.Refused, code);
        Assert.Empty(_runner.Calls);
    }
}
