using U7s.Cluster.Files;
using U7s.Cluster.Tests.Support;
using U7s.Cluster.Users;

namespace U7s.Cluster.Tests.Users;

public sealed class PodmanUserServiceTests : IDisposable
{
    private readonly NodeFixture _node = new();

    public void Dispose() => _node.Dispose();

    private PodmanUserService Service() => new(_node.Writer, _node.Accounts);

    [Fact]
    public async Task Run_NewUsers_PodmanGroupOnlyAndImmutableEmptyConfig()
    {
        var report = await Service().RunAsync(["alice", "bob"], default);

        var r = _node.Temp.Path;
        Assert.Equal(
            [
                $"groupadd --prefix {r} podman",
                $"useradd --prefix {r} -m -s /bin/bash -G podman alice",
                $"chown 1001:1001 {r}/home/alice/.config",
                $"chown 1001:1001 {r}/home/alice/.config/containers",
                $"chattr +i {r}/home/alice/.config/containers",
                $"useradd --prefix {r} -m -s /bin/bash -G podman bob",
                $"chown 1002:1002 {r}/home/bob/.config",
                $"chown 1002:1002 {r}/home/bob/.config/containers",
                $"chattr +i {r}/home/bob/.config/containers",
            ],
            _node.Runner.Calls);
        Assert.Equal(FileModes.Mode0500, _node.Mode("/home/alice/.config/containers"));
        Assert.Equal(FileModes.Mode0755, _node.Mode("/home/alice/.config"));
        Assert.Empty(Directory.GetFileSystemEntries(_node.Path("/home/alice/.config/containers")));
        Assert.Contains("/home/bob/.config/containers: empty, 0500, immutable", report);
        Assert.Contains("podman:x:1000:alice,bob", File.ReadAllText(_node.Path("/etc/group")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Again_ChangesNothing()
    {
        await Service().RunAsync(["alice"], default);
        var calls = _node.Runner.Calls.Count;
        var before = _node.Snapshot();

        var report = await Service().RunAsync(["alice"], default);

        Assert.Empty(report);
        Assert.Equal(calls, _node.Runner.Calls.Count);
        Assert.Equal(before, _node.Snapshot());
    }

    [Fact]
    public async Task Run_ExistingUserWithPersonalConfig_RefusedBeforeAnyChange()
    {
        await Service().RunAsync(["alice"], default);
        File.AppendAllText(_node.Path("/etc/passwd"), "carol:x:1500:1500::/home/carol:/bin/bash\n");
        Directory.CreateDirectory(_node.Path("/home/carol/.config/containers/registries.d"));
        var calls = _node.Runner.Calls.Count;

        var e = await Assert.ThrowsAsync<ClusterException>(() => Service().RunAsync(["bob", "carol"], default));

        Assert.Equal(ClusterErrorKind.Refused, e.Kind);
        Assert.Contains("/home/carol/.config/containers of carol is not empty (registries.d)", e.Message, StringComparison.Ordinal);
        Assert.Equal(calls, _node.Runner.Calls.Count);
    }

    [Fact]
    public async Task Run_Imagemaker_Refused()
    {
        File.AppendAllText(_node.Path("/etc/group"), "podman_dev:x:1001:maker\n");

        var e = await Assert.ThrowsAsync<ClusterException>(() => Service().RunAsync(["maker"], default));

        Assert.Contains("maker is an imagemaker", e.Message, StringComparison.Ordinal);
        Assert.Empty(_node.Runner.Calls);
    }
}
