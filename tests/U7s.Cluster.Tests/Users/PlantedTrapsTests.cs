using U7s.Cluster.Files;
using U7s.Cluster.Node;
using U7s.Cluster.Tests.Support;
using U7s.Cluster.Users;
using U7s.Testing;

namespace U7s.Cluster.Tests.Users;

/// <summary>
/// What an imagemaker can plant for root's next <c>create-imagemakeruser</c>, under a staging root: symlinks, a
/// directory swapped for a link, a FIFO, a hard link, in her home and in the group-writable served <c>keys/</c>.
/// Root's files (here the root's <c>/etc/passwd</c> and a 0600 secret) must come out byte for byte as they were,
/// and nothing but the user's own new files may be given to her. The homes are really the user's (chown), as
/// useradd leaves them; the tests run as root, as CI does.
/// </summary>
public sealed class PlantedTrapsTests : IAsyncLifetime, IDisposable
{
    private const int ImagemakerUid = 1002;

    private readonly NodeFixture _node = new();
    private readonly GpgSignerKeyProvisioner _gpg = new();

    private string Home => _node.Path("/home/imagemaker");

    private string Config => _node.Path("/home/imagemaker/.config/containers");

    public async Task InitializeAsync()
    {
        if (!Environment.IsPrivilegedProcess || Tool.Find("gpg") is null)
        {
            return;
        }

        await new CreatePolicyService(_node.Writer, _node.Accounts, new KeyFetcher(new HttpClient()), _node.Inspector, _node.Options)
            .RunAsync(new CreatePolicyRequest("192.168.122.70", NodeRole.Registry), default);
        await Service().RunAsync(Request("imagemaker"), default);
        await ChownAsync("-R", $"{ImagemakerUid}:{ImagemakerUid}", Home);
        File.WriteAllText(_node.Path("/etc/secret"), "root only\n");
        File.SetUnixFileMode(_node.Path("/etc/secret"), FileModes.Mode0600);
    }

    public async Task DisposeAsync() => await _gpg.DisposeAsync();

    public void Dispose() => _node.Dispose();

    [RequiresRootFact("gpg", "chown")]
    public async Task SymlinksInTheHome_ToRootOnlyFiles_AreReplacedNeverWrittenThrough()
    {
        Replace(Path.Join(Config, "policy.json"), p => File.CreateSymbolicLink(p, _node.Path("/etc/passwd")));
        Replace(Path.Join(Config, "registries.d", "default.yaml"), p => File.CreateSymbolicLink(p, "../../../../../etc/secret"));
        var before = Protected();

        await Service().RunAsync(Request("second"), default);

        AssertUnharmed(before);
        Assert.Null(new FileInfo(Path.Join(Config, "policy.json")).LinkTarget);
        Assert.Contains("/etc/u7s/keys/second.pgp", File.ReadAllText(Path.Join(Config, "policy.json")), StringComparison.Ordinal);
        Assert.Null(new FileInfo(Path.Join(Config, "registries.d", "default.yaml")).LinkTarget);
        Assert.Contains($"chown {ImagemakerUid}:{ImagemakerUid} {Config}/policy.json", _node.Runner.Calls);
        AssertNothingGivenAwayOutside(_node.Path("/home/"));
    }

    [RequiresRootFact("gpg", "chown")]
    public async Task DirectoryInTheHome_SwappedForALink_IsRefusedForThatUserOnly()
    {
        Directory.CreateDirectory(_node.Path("/etc/empty"));
        Directory.Delete(Config, recursive: true);
        Directory.CreateSymbolicLink(Config, _node.Path("/etc/empty"));
        var before = Protected();

        var report = await Service().RunAsync(Request("second"), default);

        AssertUnharmed(before);
        Assert.Empty(Directory.GetFileSystemEntries(_node.Path("/etc/empty")));
        Assert.Contains(report, l => l.StartsWith("WARNING: imagemaker: ", StringComparison.Ordinal) && l.Contains("symbolic link", StringComparison.Ordinal));
        Assert.True(File.Exists(_node.Path("/home/second/.config/containers/policy.json")));
        AssertNothingGivenAwayOutside(_node.Path("/home/"));
    }

    [RequiresRootFact("gpg", "chown", "mkfifo")]
    public async Task FifoAndHardLinkInTheHome_AreReplaced_WithoutBlockingOrTouchingTheLinkedFile()
    {
        Replace(Path.Join(Config, "policy.json"), p => Fifo.CreateAsync(p).GetAwaiter().GetResult());
        Replace(Path.Join(Config, "registries.d", "default.yaml"), p => (ExternalProcess.RunAsync("ln", [_node.Path("/etc/secret"), p]).GetAwaiter().GetResult()).EnsureSuccess("ln"));
        var before = Protected();

        var run = Service().RunAsync(Request("second"), default);
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60)));
        if (finished != run)
        {
            Fifo.Unblock(Path.Join(Config, "policy.json"));
        }

        Assert.Same(run, finished);
        await run;
        AssertUnharmed(before);
        Assert.Equal(["regular file"], await StatAsync("%F", Path.Join(Config, "policy.json")));
        Assert.Contains("insecureAcceptAnything", File.ReadAllText(Path.Join(Config, "policy.json")), StringComparison.Ordinal);
        Assert.Contains("default-docker:", File.ReadAllText(Path.Join(Config, "registries.d", "default.yaml")), StringComparison.Ordinal);
        Assert.Equal(["1"], await StatAsync("%h", _node.Path("/etc/secret")));
        AssertNothingGivenAwayOutside(_node.Path("/home/"));
    }

    /// <summary>Any podman_dev member may replace names in the served keys/: root's next write replaces the name, never its target.</summary>
    [RequiresRootFact("gpg", "chown")]
    public async Task SymlinksInTheServedKeys_AreReplacedNeverWrittenThrough()
    {
        File.CreateSymbolicLink(_node.Path("/var/sigstore/keys/second.pgp"), _node.Path("/etc/passwd"));
        Replace(_node.Path("/var/sigstore/keys/policy.json"), p => File.CreateSymbolicLink(p, _node.Path("/etc/secret")));
        var before = Protected();

        await Service().RunAsync(Request("second"), default);

        AssertUnharmed(before);
        Assert.Null(new FileInfo(_node.Path("/var/sigstore/keys/policy.json")).LinkTarget);
        Assert.Contains("/var/sigstore/keys/second.pgp", _node.Read("/var/sigstore/keys/policy.json"), StringComparison.Ordinal);
        Assert.Null(new FileInfo(_node.Path("/var/sigstore/keys/second.pgp")).LinkTarget);
        Assert.StartsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----", _node.Read("/var/sigstore/keys/second.pgp"), StringComparison.Ordinal);
    }

    /// <summary>
    /// The race: the imagemaker keeps swapping her config directory for a link to a root directory while root writes
    /// into it. Every write lands in her real directory or is refused; none reaches the root directory.
    /// </summary>
    [RequiresRootFact("gpg", "chown")]
    public async Task DirectorySwappedForALinkWhileRootWrites_NeverRedirectsAWrite()
    {
        Directory.CreateDirectory(_node.Path("/etc/target"));
        var user = _node.Accounts.FindUser("imagemaker")!;
        var writer = new UserConfigWriter(_node.Writer);
        var aside = Path.Join(Home, ".config", "aside");
        using var stop = new CancellationTokenSource();
        var swaps = 0;
        var swapper = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    // Real directory → aside, a link in its place; then back. Root may create a new directory in the gap.
                    Directory.Move(Config, aside);
                    Directory.CreateSymbolicLink(Config, _node.Path("/etc/target"));
                    File.Delete(Config);
                    Directory.Move(aside, Config);
                    swaps++;
                }
                catch (IOException)
                {
                    Restore(aside);
                }
            }
        });

        var written = 0;
        var refused = 0;
        for (var i = 0; i < 300; i++)
        {
            try
            {
                await writer.WriteAsync(user, $"/home/imagemaker/.config/containers/policy.json", $"{{\"n\":{i}}}\n", default);
                written++;
            }
            catch (ClusterException e) when (e.Kind == ClusterErrorKind.Refused)
            {
                refused++;
            }
            catch (Exception e) when (e is IOException or ClusterException)
            {
                // The directory was renamed away mid-write: a failure, never a write elsewhere.
                refused++;
            }
        }

        await stop.CancelAsync();
        await swapper;

        Assert.True(swaps > 10, $"only {swaps} swaps");
        Assert.True(written > 0, $"no write went through ({refused} refused)");
        Assert.Empty(Directory.GetFileSystemEntries(_node.Path("/etc/target")));
        AssertNothingGivenAwayOutside(_node.Path("/home/"));
    }

    [RequiresRootFact("chown")]
    public async Task PodmanUser_ConfigLinkedToARootDirectory_IsRefused_AndTheDirectoryUntouched()
    {
        Directory.CreateDirectory(_node.Path("/etc/empty"));
        File.SetUnixFileMode(_node.Path("/etc/empty"), FileModes.Mode0700);
        File.AppendAllText(_node.Path("/etc/passwd"), "carol:x:1500:1500::/home/carol:/bin/bash\n");
        Directory.CreateDirectory(_node.Path("/home/carol"));
        Directory.CreateSymbolicLink(_node.Path("/home/carol/.config"), _node.Path("/etc/empty"));
        await ChownAsync("-h", "1500:1500", _node.Path("/home/carol"), _node.Path("/home/carol/.config"));
        var calls = _node.Runner.Calls.Count;

        var e = await Assert.ThrowsAsync<ClusterException>(() => new PodmanUserService(_node.Writer, _node.Accounts).RunAsync(["carol"], default));

        Assert.Equal(ClusterErrorKind.Refused, e.Kind);
        Assert.Contains("symbolic link", e.Message, StringComparison.Ordinal);
        Assert.Equal(FileModes.Mode0700, FileModes.Get(_node.Path("/etc/empty")));
        Assert.Empty(Directory.GetFileSystemEntries(_node.Path("/etc/empty")));
        Assert.Equal(["0:0"], await StatAsync("%u:%g", _node.Path("/etc/empty")));
        Assert.Equal(calls, _node.Runner.Calls.Count);
    }

    // After a failed swap step: the real directory back in place (one root created in the gap goes).
    private void Restore(string aside)
    {
        try
        {
            if (!Directory.Exists(aside))
            {
                return;
            }

            if (new FileInfo(Config).LinkTarget is not null)
            {
                File.Delete(Config);
            }
            else if (Directory.Exists(Config))
            {
                Directory.Delete(Config, recursive: true);
            }
        }
        catch (IOException)
        {
            // Root is writing there right now: the next round tries again.
        }
    }

    private ImagemakerService Service() => new(_node.Writer, _node.Accounts, _gpg.Provisioner, _node.Options);

    private static CreateImagemakerRequest Request(params string[] specs) =>
        new(specs.Select(s => ImagemakerSpec.Parse(s, "registry.local")).ToList(), u => $"{u}@example.test", RegistriesD.StagingUrl);

    // Owner and mode of root's files, and their bytes (passwd only grows: useradd appends the new user).
    private (string[] Stats, string Secret, string Passwd, string Group) Protected() =>
        (new[] { "/etc/passwd", "/etc/group", "/etc/secret" }.Select(p => StatAsync("%n %u:%g %a", _node.Path(p)).GetAwaiter().GetResult().Single()).ToArray(),
         File.ReadAllText(_node.Path("/etc/secret")), File.ReadAllText(_node.Path("/etc/passwd")), File.ReadAllText(_node.Path("/etc/group")));

    private void AssertUnharmed((string[] Stats, string Secret, string Passwd, string Group) before)
    {
        var after = Protected();
        Assert.Equal(before.Stats, after.Stats);
        Assert.Equal(before.Secret, after.Secret);
        Assert.StartsWith(before.Passwd, after.Passwd, StringComparison.Ordinal);
        Assert.All(new[] { after.Passwd, after.Group }, text => Assert.DoesNotContain("{", text, StringComparison.Ordinal));
    }

    // Every recorded chown and chattr names a path inside the user's tree, never one of root's.
    private void AssertNothingGivenAwayOutside(string tree) =>
        Assert.All(_node.Runner.Calls.Where(c => c.StartsWith("chown ", StringComparison.Ordinal) || c.StartsWith("chattr ", StringComparison.Ordinal)),
            c => Assert.True(c.Split(' ', 3)[2].StartsWith(tree, StringComparison.Ordinal) || c.Split(' ', 3)[2].StartsWith(_node.Path("/var/sigstore/"), StringComparison.Ordinal), c));

    private static void Replace(string path, Action<string> plant)
    {
        File.Delete(path);
        plant(path);
    }

    private static async Task ChownAsync(params string[] arguments) =>
        (await ExternalProcess.RunAsync("chown", arguments)).EnsureSuccess("chown");

    private static async Task<string[]> StatAsync(string format, string path) =>
        (await ExternalProcess.RunAsync("stat", ["-c", format, path])).EnsureSuccess("stat").StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
