using U7s.Cli.Commands;
using U7s.Cli.Tests.Support;
using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

public sealed class CreateImagemakerUserCommandTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _root = new("u7s-im-root");
    private readonly RecordingProcessRunner _runner = new();
    private readonly GpgSignerKeyProvisioner _gpg = new();

    public async Task InitializeAsync()
    {
        var (code, _, stderr) = await CommandHarness.RunAsync(CreatePolicyCommand.Create(Environment()), "192.168.122.70", "--root", _root.Path, "--role", "registry");
        Assert.True(code == 0, stderr);
    }

    public async Task DisposeAsync() => await _gpg.DisposeAsync();

    public void Dispose() => _root.Dispose();

    private NodeEnvironment Environment(bool withSigners = true) => new()
    {
        Runner = _runner,
        IsPrivileged = () => false,
        Signers = withSigners ? _gpg.Provisioner : null,
        HostName = "node1.example.test",
    };

    [RequiresToolFact("gpg")]
    public async Task CreateImagemakerUser_DefaultEmail_UsesUserAtHost()
    {
        var (code, stdout, stderr) = await CommandHarness.RunAsync(CreateImagemakerUserCommand.Create(Environment()), "imagemaker", "--root", _root.Path);

        Assert.True(code == 0, stderr);
        Assert.Single(await _gpg.FindAsync("imagemaker@node1.example.test"));
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
    public async Task CreateImagemakerUser_NoProvisioner_FailsBeforeAnyChange()
    {
        var calls = _runner.Calls.Count;

        var (code, _, stderr) = await CommandHarness.RunAsync(CreateImagemakerUserCommand.Create(Environment(withSigners: false)), "imagemaker", "--root", _root.Path);

        Assert.Equal(ExitCodes.Failure, code);
        Assert.Equal("u7s: no signer key provisioner is configured in this build\n", stderr);
        Assert.Equal(calls, _runner.Calls.Count);
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
