using U7s.Cli.Commands;
using U7s.Cli.Tests.Support;
using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

public sealed class CreateImagemakerUserCommandTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _root = new("u7s-im-root");
    private readonly RecordingProcessRunner _runner = new();

    public async Task InitializeAsync()
    {
        var (code, _, stderr) = await CommandHarness.RunAsync(CreatePolicyCommand.Create(Environment()), "192.168.122.70", "--root", _root.Path, "--role", "registry");
        Assert.True(code == 0, stderr);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _root.Dispose();

    // No Signers: the verb uses U7s's own key store, as the shipped CLI does.
    private NodeEnvironment Environment() => new()
    {
        Runner = _runner,
        IsPrivileged = () => false,
        HostName = "node1.example.test",
    };

    [Fact]
    public async Task CreateImagemakerUser_DefaultEmail_UsesUserAtHost()
    {
        var (code, stdout, stderr) = await CommandHarness.RunAsync(CreateImagemakerUserCommand.Create(Environment()), "imagemaker", "--root", _root.Path);

        Assert.True(code == 0, stderr);
        var keys = _root.Combine("home/imagemaker/.local/share/u7s/keys");
        var (listed, listing, error) = await VerbRunner.RunAsync(KeysCommand.Create(), "keys", "list", "--key-dir", keys);
        Assert.True(listed == 0, error);
        Assert.Contains("imagemaker <imagemaker@node1.example.test>", listing, StringComparison.Ordinal);
        Assert.Contains("policy scope registry.local: signed by /var/sigstore/keys/imagemaker.pgp", stdout, StringComparison.Ordinal);
        Assert.Contains("/var/sigstore/keys/imagemaker.pgp", File.ReadAllText(_root.Combine("var/sigstore/keys/policy.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateImagemakerUser_EmailWithTwoUsers_ParseError()
    {
        var (code, _, stderr) = await CommandHarness.RunAsync(CreateImagemakerUserCommand.Create(Environment()), "a", "b", "--email", "x@y.z", "--root", _root.Path);

        Assert.NotEqual(0, code);
        Assert.Contains("--email applies to one user only", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateImagemakerUser_ChownFails_RefusedBeforePolicyChanges()
    {
        var policy = File.ReadAllText(_root.Combine("etc/containers/policy.json"));
        _runner.Failures["chown"] = "chown: changing ownership: Operation not permitted";

        var (code, _, stderr) = await CommandHarness.RunAsync(CreateImagemakerUserCommand.Create(Environment()), "imagemaker", "--root", _root.Path);

        Assert.Equal(ExitCodes.Failure, code);
        Assert.StartsWith("u7s: chown ", stderr, StringComparison.Ordinal);
        Assert.EndsWith("failed: chown: changing ownership: Operation not permitted\n", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_root.Combine("var/sigstore/keys/imagemaker.pgp")));
        Assert.Equal(policy, File.ReadAllText(_root.Combine("etc/containers/policy.json")));
    }

    [Fact]
    public async Task CreateImagemakerUser_BadScope_UsageError()
    {
        var (code, _, stderr) = await CommandHarness.RunAsync(CreateImagemakerUserCommand.Create(Environment()), "imagemaker@nohost", "--root", _root.Path);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("u7s: not a registry scope (host[/namespace]): nohost\n", stderr);
    }

    [Fact]
    public async Task CreatePodmanUsers_StagingRoot_CreatesUsersThroughRunner()
    {
        var (code, stdout, stderr) = await CommandHarness.RunAsync(CreatePodmanUsersCommand.Create(Environment()), "alice", "--root", _root.Path);

        Assert.True(code == 0, stderr);
        Assert.Contains($"chattr +i {_root.Path}/home/alice/.config/containers", _runner.Calls);
        Assert.Contains("user alice created (groups podman)", stdout, StringComparison.Ordinal);
    }
}
