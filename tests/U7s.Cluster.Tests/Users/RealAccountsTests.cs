using U7s.Cluster.Accounts;
using U7s.Cluster.Files;
using U7s.Cluster.Node;
using U7s.Testing;

namespace U7s.Cluster.Tests.Users;

/// <summary>
/// The real shadow-utils and coreutils, run through the real <see cref="ProcessRunner"/> with
/// <c>--prefix</c> on a temp root: the argv the recording fake checks is what these programs accept.
/// </summary>
public sealed class RealAccountsTests : IDisposable
{
    private readonly TempDirectory _temp = new("u7s-real-accounts");

    public RealAccountsTests()
    {
        Directory.CreateDirectory(_temp.Combine("etc"));
        File.WriteAllText(_temp.Combine("etc/passwd"), "root:x:0:0:root:/root:/bin/bash\n");
        File.WriteAllText(_temp.Combine("etc/group"), "root:x:0:\n");
        File.WriteAllText(_temp.Combine("etc/shadow"), "root:*:19000:0:99999:7:::\n");
        File.WriteAllText(_temp.Combine("etc/gshadow"), "root:*::\n");
    }

    public void Dispose() => _temp.Dispose();

    [RequiresRootFact("groupadd", "useradd", "usermod", "chown", "stat")]
    public async Task RealTools_GroupsUsersAndOwnership_UnderTempRoot()
    {
        var root = new NodeRoot(_temp.Path);
        var accounts = new SystemAccounts(root, new ProcessRunner());

        Assert.True(await accounts.EnsureGroupAsync("podman", default));
        Assert.False(await accounts.EnsureGroupAsync("podman", default));
        Assert.True(await accounts.EnsureGroupAsync("podman_dev", default));
        Assert.Equal("user alice created (groups podman)", await accounts.EnsureUserAsync("alice", ["podman"], default));
        Assert.Equal("user alice added to podman_dev", await accounts.EnsureUserAsync("alice", ["podman", "podman_dev"], default));
        Assert.Null(await accounts.EnsureUserAsync("alice", ["podman", "podman_dev"], default));

        var alice = accounts.FindUser("alice")!;
        Assert.Equal("/home/alice", alice.Home);
        Assert.True(Directory.Exists(_temp.Combine("home/alice")));
        Assert.Equal(["podman", "podman_dev"], accounts.GroupsOf("alice").Order(StringComparer.Ordinal));

        // The owner is set by descriptor (fchown), from the ids of the root's own account files.
        var writer = new NodeFileWriter(root, TimeProvider.System);
        Assert.True(writer.EnsureDirectory("/var/sigstore/keys", FileModes.Mode0775, accounts.OwnerOf("root", "podman_dev")));
        var stat = await ExternalProcess.RunAsync("stat", ["-c", "%u:%g", _temp.Combine("var/sigstore/keys")]);
        Assert.Equal($"0:{accounts.FindGroupId("podman_dev")}", stat.StandardOutput.Trim());
    }

    [RequiresRootFact("groupadd", "useradd", "usermod", "chown", "stat")]
    public async Task RealTools_ServiceAccount_SystemUserWithoutLoginOrHome_UnderTempRoot()
    {
        var root = new NodeRoot(_temp.Path);
        var accounts = new SystemAccounts(root, new ProcessRunner());
        await accounts.EnsureGroupAsync("podman_dev", default);

        Assert.Equal("system user u7s created (groups u7s,podman_dev)", await accounts.EnsureSystemUserAsync("u7s", "/var/lib/u7s", ["podman_dev"], default));
        Assert.Null(await accounts.EnsureSystemUserAsync("u7s", "/var/lib/u7s", ["podman_dev"], default));

        var user = accounts.FindUser("u7s")!;
        Assert.Equal("/var/lib/u7s", user.Home);
        Assert.InRange(user.Uid, 1, 999);
        Assert.Equal(user.Gid, accounts.FindGroupId("u7s"));
        Assert.Contains(":/usr/sbin/nologin", File.ReadAllLines(_temp.Combine("etc/passwd")).Single(l => l.StartsWith("u7s:", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Combine("var/lib/u7s")));
        Assert.Equal(["u7s"], accounts.MembersOf("podman_dev"));

        Directory.CreateDirectory(_temp.Combine("var/lib/u7s/blobs"));
        File.WriteAllText(_temp.Combine("var/lib/u7s/blobs/b"), "x");
        File.CreateSymbolicLink(_temp.Combine("var/lib/u7s/link"), _temp.Combine("etc/passwd"));
        var shared = new NodeFileWriter(root, TimeProvider.System).SetOwnerRecursive("/var/lib/u7s", new FileOwner(user.Uid, user.Gid));
        var owners = await ExternalProcess.RunAsync("stat", ["-c", "%u:%g", _temp.Combine("var/lib/u7s"), _temp.Combine("var/lib/u7s/blobs/b"), _temp.Combine("etc/passwd")]);
        Assert.Equal([$"{user.Uid}:{user.Gid}", $"{user.Uid}:{user.Gid}", "0:0"], owners.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(shared);
        Assert.Equal($"{user.Uid}:{user.Gid}", (await ExternalProcess.RunAsync("stat", ["-c", "%u:%g", _temp.Combine("var/lib/u7s/link")])).StandardOutput.Trim());
    }

    /// <summary>
    /// The service user owns the data root and could hard-link root's files into it: giving the tree back to the
    /// service user must not give it those files (chown -R would).
    /// </summary>
    [RequiresRootFact("ln", "stat")]
    public async Task DataRootOwner_HardLinkToARootFile_KeepsItsOwner()
    {
        File.WriteAllText(_temp.Combine("etc/secret"), "root only");
        File.SetUnixFileMode(_temp.Combine("etc/secret"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Directory.CreateDirectory(_temp.Combine("var/lib/u7s/blobs"));
        File.WriteAllText(_temp.Combine("var/lib/u7s/blobs/b"), "x");
        (await ExternalProcess.RunAsync("ln", [_temp.Combine("etc/secret"), _temp.Combine("var/lib/u7s/blobs/stolen")])).EnsureSuccess("ln");

        var shared = new NodeFileWriter(new NodeRoot(_temp.Path), TimeProvider.System).SetOwnerRecursive("/var/lib/u7s", new FileOwner(990, 990));

        Assert.Equal(["/var/lib/u7s/blobs/stolen"], shared);
        var owners = await ExternalProcess.RunAsync("stat", ["-c", "%u:%g", _temp.Combine("etc/secret"), _temp.Combine("var/lib/u7s/blobs/b"), _temp.Combine("var/lib/u7s/blobs")]);
        Assert.Equal(["0:0", "990:990", "990:990"], owners.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [RequiresRootFact("groupadd", "chown")]
    public async Task RealTools_CreatePolicyTwice_SecondRunRunsNothing()
    {
        var root = new NodeRoot(_temp.Path);
        var runner = new CountingRunner(new ProcessRunner());
        var service = new CreatePolicyService(new NodeFileWriter(root, TimeProvider.System), new SystemAccounts(root, runner), new KeyFetcher(new HttpClient()), new PgpKeyInspector(), new ClusterOptions());

        await service.RunAsync(new CreatePolicyRequest("192.168.122.70", NodeRole.Registry), default);
        var first = runner.Count;
        var report = await service.RunAsync(new CreatePolicyRequest("192.168.122.70", NodeRole.Registry), default);

        // groupadd twice; directory owners are set by descriptor, not by chown.
        Assert.Equal(2, first);
        Assert.Equal(first, runner.Count);
        Assert.Empty(report);
        Assert.Contains("podman_dev:x:", File.ReadAllText(_temp.Combine("etc/group")), StringComparison.Ordinal);
    }

    private sealed class CountingRunner(IProcessRunner inner) : IProcessRunner
    {
        public int Count { get; private set; }

        public Task<ProcessOutcome> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
        {
            Count++;
            return inner.RunAsync(program, arguments, cancellationToken);
        }
    }
}
