using System.CommandLine;
using System.Security.Cryptography;
using U7s.Cli.Commands;
using U7s.Cli.Tests.Support;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// <c>--dry-run</c> of the four node verbs that write files: on a fresh staging tree and on one already set up,
/// the output names every file, directory, account and program the real run would touch, and afterwards the tree
/// is byte for byte, mode for mode, what it was, and no program was run.
/// </summary>
public sealed class DryRunTests : IDisposable
{
    private const string Address = "192.168.122.70";

    private readonly TempDirectory _root = new("u7s-dry-root");
    private readonly TempDirectory _marker = new("u7s-dry-systemd");
    private readonly RecordingProcessRunner _runner = new();

    public void Dispose()
    {
        _root.Dispose();
        _marker.Dispose();
    }

    private NodeEnvironment Environment() => new()
    {
        Runner = _runner,
        IsPrivileged = () => false,
        IsLocalAddress = _ => false,
        HostName = "node1.example.test",
        SystemdMarker = _marker.Path,
        ExecutablePath = "/usr/bin/u7s",
    };

    [Fact]
    public async Task DryRun_EachNodeVerb_ListsWhatItWouldChange_TouchesNothing()
    {
        // A fresh tree: everything would be created.
        var policy = await DryRunAsync(CreatePolicyCommand.Create(Environment()), Address, "--role", "registry");
        Lists(policy, "would create /etc/containers/policy.json");
        Lists(policy, "would create /etc/containers/registries.d/default.yaml");
        Lists(policy, "would create directory /var/sigstore");
        Lists(policy, "would run groupadd --prefix");
        Lists(policy, "dry run: nothing was changed");

        var services = await DryRunAsync(CreateServicesCommand.Create(Environment()));
        Lists(services, "would create /etc/systemd/system/u7s.service");
        Lists(services, "would run useradd --prefix");
        Lists(services, "would run systemctl");

        var podman = await DryRunAsync(CreatePodmanUsersCommand.Create(Environment()), "alice");
        Lists(podman, "would run useradd --prefix");
        Lists(podman, "alice");
        Lists(podman, "would create directory /home/alice/.config/containers");

        // The registry node set up for real, then an imagemaker previewed: the policy, the rights and the keys it would change.
        var (code, _, stderr) = await CommandHarness.RunAsync(CreatePolicyCommand.Create(Environment()), Address, "--root", _root.Path, "--role", "registry");
        Assert.True(code == 0, stderr);
        var imagemaker = await DryRunAsync(CreateImagemakerUserCommand.Create(Environment()), "imagemaker");
        Lists(imagemaker, "would change /etc/containers/policy.json");
        Lists(imagemaker, "would create /etc/u7s/signers.json");
        Lists(imagemaker, "would change /var/sigstore/keys/policy.json");
        Lists(imagemaker, "would run useradd --prefix");
        Lists(imagemaker, "would generate (or reuse) the signing key of imagemaker <imagemaker@node1.example.test>");

        // Run again on the tree it set up, create-policy has nothing left to do.
        var again = await DryRunAsync(CreatePolicyCommand.Create(Environment()), Address, "--role", "registry");
        Lists(again, "dry run: nothing would change");
    }

    [Fact]
    public async Task DryRun_OnTheNodeItself_NeedsNoRoot_AndWritesNothing()
    {
        // Without --root and without root privileges a real run is refused; the preview is not.
        var (code, stdout, stderr) = await CommandHarness.RunAsync(CreatePodmanUsersCommand.Create(Environment()), "u7s-dry-run-nobody", "--dry-run");
        Assert.True(code == 0, stderr);
        Lists(stdout, "would run useradd -m -s /bin/bash -G podman u7s-dry-run-nobody");
        Assert.Empty(_runner.Calls);
    }

    private static void Lists(string output, string expected) =>
        Assert.True(output.Contains(expected, StringComparison.Ordinal), $"'{expected}' not in:\n{output}");

    /// <summary>Runs the verb with --dry-run on the staging tree; asserts exit 0, no program run and the tree unchanged; returns stdout.</summary>
    private async Task<string> DryRunAsync(Command verb, params string[] args)
    {
        var before = Snapshot(_root.Path);
        var calls = _runner.Calls.Count;
        var (code, stdout, stderr) = await CommandHarness.RunAsync(verb, [.. args, "--root", _root.Path, "--dry-run"]);
        Assert.True(code == 0, stderr + stdout);
        Assert.Equal(calls, _runner.Calls.Count);
        Assert.Equal(before, Snapshot(_root.Path));
        return stdout;
    }

    /// <summary>Every entry under <paramref name="root"/> (links not followed): path, kind, mode, and the content's hash or the link's target.</summary>
    private static List<string> Snapshot(string root) =>
        new DirectoryInfo(root).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(e => string.Join(' ', Path.GetRelativePath(root, e.FullName), e.UnixFileMode, e.LinkTarget ?? (e is FileInfo f ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f.FullName))) : "dir")))
            .Order(StringComparer.Ordinal)
            .ToList();
}
