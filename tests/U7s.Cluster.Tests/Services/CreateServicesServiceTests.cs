using U7s.Cluster.Files;
using U7s.Cluster.Services;
using U7s.Cluster.Tests.Support;
using U7s.Testing;

namespace U7s.Cluster.Tests.Services;

/// <summary>The service account, the data root it owns and the hardened unit, under a temp root with the recording runner.</summary>
public sealed class CreateServicesServiceTests : IDisposable
{
    private readonly NodeFixture _node = new();

    public void Dispose() => _node.Dispose();

    private CreateServicesService Service() => new(_node.Writer, _node.Accounts, _node.Runner);

    private static ServiceRequest Request => new("/usr/bin/u7s");

    [Fact]
    public async Task Run_NewNode_SystemUserInPodmanDev_OwnsTheDataRoot_UnitEnabledOffline()
    {
        var report = await Service().RunAsync(Request, systemdRunning: true, default);

        var r = _node.Temp.Path;
        Assert.Equal(
            [
                $"groupadd --prefix {r} podman_dev",
                $"useradd --prefix {r} --system --user-group --no-create-home --home-dir /var/lib/u7s --shell /usr/sbin/nologin -G podman_dev u7s",
                $"chown -R 1001:1001 {r}/var/lib/u7s",
                $"systemctl --root {r} enable u7s.service",
            ],
            _node.Runner.Calls);
        Assert.Contains("u7s:x:1001:1001::/var/lib/u7s:/usr/sbin/nologin", File.ReadAllLines(_node.Path("/etc/passwd")));
        Assert.Equal(["u7s"], _node.Accounts.MembersOf("podman_dev"));
        Assert.Equal(FileModes.Mode0700 | UnixFileMode.GroupRead | UnixFileMode.GroupExecute, _node.Mode("/var/lib/u7s"));
        Assert.Equal(ServiceUnit.Render(Request), _node.Read(ServiceUnit.NodePath));
        Assert.Contains("system user u7s created (groups u7s,podman_dev)", report);
        Assert.Contains(report, l => l.StartsWith("u7s serve runs as user u7s from now on", StringComparison.Ordinal));
        Assert.Contains("/var/sigstore/sigstore does not exist: run u7s create-policy --role registry so the service can store signatures", report);
    }

    [Fact]
    public async Task Run_Again_CreatesNoAccount_ButKeepsTheDataRootOwned()
    {
        Directory.CreateDirectory(_node.Path("/var/sigstore/sigstore"));
        await Service().RunAsync(Request, systemdRunning: false, default);
        var calls = _node.Runner.Calls.Count;

        var report = await Service().RunAsync(Request, systemdRunning: false, default);

        Assert.Equal([$"chown -R 1001:1001 {_node.Temp.Path}/var/lib/u7s"], _node.Runner.Calls.Skip(calls));
        Assert.Equal(["systemd is not running here: u7s.service was not enabled; start `/usr/bin/u7s serve` by other means"], report);
    }

    [Fact]
    public async Task Run_ExistingServiceUserOutsidePodmanDev_IsAddedToIt()
    {
        File.AppendAllText(_node.Path("/etc/group"), "podman_dev:x:1100:alice\nu7s:x:990:\n");
        File.AppendAllText(_node.Path("/etc/passwd"), "u7s:x:990:990::/var/lib/u7s:/usr/sbin/nologin\n");

        var report = await Service().RunAsync(Request, systemdRunning: false, default);

        Assert.Equal(
            [$"usermod --prefix {_node.Temp.Path} -a -G podman_dev u7s", $"chown -R 990:990 {_node.Temp.Path}/var/lib/u7s"],
            _node.Runner.Calls);
        Assert.Equal(["alice", "u7s"], _node.Accounts.MembersOf("podman_dev"));
        Assert.Contains("user u7s added to podman_dev", report);
    }

    [Theory]
    [InlineData("u7s", "/var/lib/u7s", "/var/sigstore", "executable path")]
    [InlineData("/usr/bin/u7s", "var/lib/u7s", "/var/sigstore", "data root")]
    [InlineData("/usr/bin/u7s", "/var/lib/u7s", "/srv/sig store", "signature store root")]
    [InlineData("/usr/bin/u7s", "/var/lib/u7s;rm", "/var/sigstore", "data root")]
    public async Task Run_PathTheUnitCannotHold_UsageError_NothingDone(string executable, string data, string sigstore, string what)
    {
        var before = _node.Snapshot();

        var e = await Assert.ThrowsAsync<ClusterException>(() => Service().RunAsync(new ServiceRequest(executable, data, sigstore), systemdRunning: true, default));

        Assert.Equal(ClusterErrorKind.Usage, e.Kind);
        Assert.Contains(what, e.Message, StringComparison.Ordinal);
        Assert.Empty(_node.Runner.Calls);
        Assert.Equal(before, _node.Snapshot());
    }

    [Fact]
    public void Unit_RunsUnprivileged_BindsPortsByCapability_WritesOnlyItsTrees()
    {
        var keys = Keys(ServiceUnit.Render(new ServiceRequest("/opt/u7s/u7s", "/srv/registry", "/srv/sigstore")));

        Assert.Equal(["/opt/u7s/u7s serve --data /srv/registry --sigstore-root /srv/sigstore"], keys["ExecStart"]);
        Assert.Equal(["u7s"], keys["User"]);
        Assert.Equal(["u7s"], keys["Group"]);
        Assert.Equal(["CAP_NET_BIND_SERVICE"], keys["AmbientCapabilities"]);
        Assert.Equal(["CAP_NET_BIND_SERVICE"], keys["CapabilityBoundingSet"]);
        Assert.Equal(["yes"], keys["NoNewPrivileges"]);
        Assert.Equal(["strict"], keys["ProtectSystem"]);
        Assert.Equal(["/srv/registry -/srv/sigstore"], keys["ReadWritePaths"]);
        Assert.Equal(["yes"], keys["ProtectHome"]);
        Assert.Equal(["yes"], keys["PrivateTmp"]);
        Assert.Equal(["yes"], keys["PrivateDevices"]);
        Assert.Equal(["multi-user.target"], keys["WantedBy"]);

        // Either would break the service: setgid signature directories, the JIT.
        Assert.False(keys.ContainsKey("RestrictSUIDSGID"));
        Assert.False(keys.ContainsKey("MemoryDenyWriteExecute"));
    }

    [Fact]
    public void Unit_WithAConfig_RunsServeWithTheConfigAlone()
    {
        // Flags win over the config file: a --data beside --config would silently override dataRoot in it.
        var keys = Keys(ServiceUnit.Render(new ServiceRequest("/usr/bin/u7s", ConfigPath: "/etc/u7s/u7s.yaml")));

        Assert.Equal(["/usr/bin/u7s serve --config /etc/u7s/u7s.yaml"], keys["ExecStart"]);
        Assert.Equal(["/var/lib/u7s -/var/sigstore"], keys["ReadWritePaths"]);
    }

    [Fact]
    public void Unit_ForTheNativeBuild_DeniesWritableExecutableMemory()
    {
        var native = Keys(ServiceUnit.Render(new ServiceRequest("/usr/bin/u7s", NativeCode: true)));
        var jit = Keys(ServiceUnit.Render(new ServiceRequest("/usr/bin/u7s")));

        Assert.Equal(["yes"], native["MemoryDenyWriteExecute"]);
        Assert.False(jit.ContainsKey("MemoryDenyWriteExecute"));
    }

    [RequiresToolTheory("systemd-analyze")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Unit_PassesSystemdAnalyzeVerify(bool nativeCode)
    {
        // verify checks that ExecStart's program exists; true(1) stands in for u7s.
        var unit = _node.Path("/u7s.service");
        File.WriteAllText(unit, ServiceUnit.Render(new ServiceRequest(Tool.Find("true")!, ConfigPath: "/etc/u7s/u7s.yaml", NativeCode: nativeCode)));

        var result = await ExternalProcess.RunAsync("systemd-analyze", ["verify", unit]);

        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Equal(string.Empty, result.StandardError.Trim() + result.StandardOutput.Trim());
    }

    private static Dictionary<string, List<string>> Keys(string unit) =>
        unit.Split('\n')
            .Where(l => l.Contains('=', StringComparison.Ordinal) && !l.StartsWith('#'))
            .GroupBy(l => l[..l.IndexOf('=', StringComparison.Ordinal)], l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..])
            .ToDictionary(g => g.Key, g => g.ToList());
}
