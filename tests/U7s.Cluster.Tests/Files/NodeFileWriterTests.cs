using U7s.Cluster.Files;
using U7s.Cluster.Tests.Support;
using U7s.Testing;

namespace U7s.Cluster.Tests.Files;

public sealed class NodeFileWriterTests : IDisposable
{
    private readonly TempDirectory _temp = new("u7s-writer");
    private readonly FixedTimeProvider _time = new(new DateTimeOffset(2024, 5, 23, 5, 40, 7, TimeSpan.Zero),
        TimeZoneInfo.CreateCustomTimeZone("plus3", TimeSpan.FromHours(3), "plus3", "plus3"));

    private NodeFileWriter Writer => new(new NodeRoot(_temp.Path), _time);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Write_NewFile_CreatesWithExactContentAndMode()
    {
        var change = await Writer.WriteAsync("/etc/sysctl.d/99-podman.conf", "a = 1\n", FileModes.Mode0644, default);

        Assert.Equal(FileChangeKind.Created, change.Kind);
        var path = _temp.Combine("etc/sysctl.d/99-podman.conf");
        Assert.Equal("a = 1\n", File.ReadAllText(path));
        Assert.Equal(FileModes.Mode0644, FileModes.Get(path));
        Assert.Single(Directory.GetFileSystemEntries(_temp.Combine("etc/sysctl.d")));
    }

    [Fact]
    public async Task Write_SameContent_IsUnchangedAndKeepsTheInode()
    {
        await Writer.WriteAsync("/etc/x.conf", "same\n", FileModes.Mode0644, default);
        var path = _temp.Combine("etc/x.conf");
        File.SetLastWriteTimeUtc(path, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var change = await Writer.WriteAsync("/etc/x.conf", "same\n", FileModes.Mode0644, default);

        Assert.Equal(FileChangeKind.Unchanged, change.Kind);
        Assert.Equal(new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc), File.GetLastWriteTimeUtc(path));
    }

    [Fact]
    public async Task Write_OtherContent_ReplacesAndLeavesNoTempFile()
    {
        await Writer.WriteAsync("/etc/x.conf", "one\n", FileModes.Mode0644, default);
        var change = await Writer.WriteAsync("/etc/x.conf", "two\n", FileModes.Mode0600, default);

        Assert.Equal(FileChangeKind.Updated, change.Kind);
        Assert.Equal("two\n", File.ReadAllText(_temp.Combine("etc/x.conf")));
        Assert.Equal(FileModes.Mode0600, FileModes.Get(_temp.Combine("etc/x.conf")));
        Assert.Equal(["x.conf"], Directory.GetFileSystemEntries(_temp.Combine("etc")).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("/../escaped")]
    [InlineData("/etc/../../escaped")]
    [InlineData("relative/path")]
    public async Task Write_PathEscapingRoot_IsRefused(string nodePath)
    {
        var e = await Assert.ThrowsAsync<ClusterException>(() => Writer.WriteAsync(nodePath, "x", FileModes.Mode0644, default));

        Assert.Equal(ClusterErrorKind.Usage, e.Kind);
        Assert.False(File.Exists(Path.Join(Path.GetDirectoryName(_temp.Path), "escaped")));
    }

    [Fact]
    public async Task Write_ThroughSymlinkLeavingRoot_IsRefused()
    {
        using var outside = new TempDirectory("u7s-outside");
        Directory.CreateDirectory(_temp.Combine("etc"));
        File.CreateSymbolicLink(_temp.Combine("etc/containers"), outside.Path);

        var e = await Assert.ThrowsAsync<ClusterException>(() => Writer.WriteAsync("/etc/containers/containers.conf", "x", FileModes.Mode0644, default));

        Assert.Contains("symlink", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(outside.Path));
    }

    [Fact]
    public async Task WriteDated_First_CreatesStampedFileAndRelativeSymlink()
    {
        var change = await Writer.WriteAsync(DatedFileNames.PolicyJson, "{}\n", FileModes.Mode0644, default);

        // 05:40:07 UTC is 08:40:07 in the provider's local zone: the stamp is local time.
        Assert.Equal("policy_2024-05-23_08:40:07", change.DatedName);
        var live = new FileInfo(_temp.Combine("etc/containers/policy.json"));
        Assert.Equal("policy_2024-05-23_08:40:07", live.LinkTarget);
        Assert.Equal("{}\n", File.ReadAllText(live.FullName));
        Assert.Equal(FileModes.Mode0644, FileModes.Get(_temp.Combine("etc/containers/policy_2024-05-23_08:40:07")));
    }

    [Fact]
    public async Task WriteDated_SameContent_WritesNoNewFile()
    {
        await Writer.WriteAsync(DatedFileNames.PolicyJson, "{}\n", FileModes.Mode0644, default);
        _time.Advance(TimeSpan.FromMinutes(5));

        var change = await Writer.WriteAsync(DatedFileNames.PolicyJson, "{}\n", FileModes.Mode0644, default);

        Assert.Equal(FileChangeKind.Unchanged, change.Kind);
        Assert.Equal(["policy.json", "policy_2024-05-23_08:40:07"], List("etc/containers"));
    }

    [Fact]
    public async Task WriteDated_NewContent_SwapsLinkAndKeepsOldVersion()
    {
        await Writer.WriteAsync(DatedFileNames.PolicyJson, "{\"v\":1}\n", FileModes.Mode0644, default);
        _time.Advance(TimeSpan.FromSeconds(61));

        var change = await Writer.WriteAsync(DatedFileNames.PolicyJson, "{\"v\":2}\n", FileModes.Mode0644, default);

        Assert.Equal(FileChangeKind.Updated, change.Kind);
        Assert.Equal(["policy.json", "policy_2024-05-23_08:40:07", "policy_2024-05-23_08:41:08"], List("etc/containers"));
        Assert.Equal("policy_2024-05-23_08:41:08", new FileInfo(_temp.Combine("etc/containers/policy.json")).LinkTarget);
        Assert.Equal("{\"v\":1}\n", File.ReadAllText(_temp.Combine("etc/containers/policy_2024-05-23_08:40:07")));
    }

    [Fact]
    public async Task WriteDated_TwoVersionsInOneSecond_NeverOverwritesADatedFile()
    {
        await Writer.WriteAsync(DatedFileNames.PolicyJson, "{\"v\":1}\n", FileModes.Mode0644, default);
        await Writer.WriteAsync(DatedFileNames.PolicyJson, "{\"v\":2}\n", FileModes.Mode0644, default);

        Assert.Equal("{\"v\":1}\n", File.ReadAllText(_temp.Combine("etc/containers/policy_2024-05-23_08:40:07")));
        Assert.Equal("policy_2024-05-23_08:40:07.1", new FileInfo(_temp.Combine("etc/containers/policy.json")).LinkTarget);
        Assert.Equal("{\"v\":2}\n", File.ReadAllText(_temp.Combine("etc/containers/policy.json")));
    }

    [Fact]
    public async Task WriteDated_RegularLiveFile_IsKeptUnderItsOwnMtime()
    {
        Directory.CreateDirectory(_temp.Combine("etc/containers/registries.d"));
        var live = _temp.Combine("etc/containers/registries.d/default.yaml");
        File.WriteAllText(live, "old: 1\n");
        File.SetLastWriteTimeUtc(live, new DateTime(2023, 1, 2, 21, 4, 5, DateTimeKind.Utc));

        var change = await Writer.WriteAsync(DatedFileNames.RegistriesDefaultYaml, "new: 1\n", FileModes.Mode0644, default);

        Assert.Equal("default_2023-01-03_00:04:05", change.BackupName);
        Assert.Equal(["default.yaml", "default_2023-01-03_00:04:05", "default_2024-05-23_08:40:07"], List("etc/containers/registries.d"));
        Assert.Equal("old: 1\n", File.ReadAllText(_temp.Combine("etc/containers/registries.d/default_2023-01-03_00:04:05")));
        Assert.Equal("new: 1\n", File.ReadAllText(live));
        // Only *.yaml files are loaded: no kept version may end in .yaml.
        Assert.Single(List("etc/containers/registries.d"), n => n.EndsWith(".yaml", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WriteDated_RegistriesConfRegularFile_IsCopiedUnderItsMtime()
    {
        Directory.CreateDirectory(_temp.Combine("etc/containers"));
        var live = _temp.Combine("etc/containers/registries.conf");
        File.WriteAllText(live, "# distro\n");
        File.SetLastWriteTimeUtc(live, new DateTime(2023, 1, 2, 3, 4, 5, DateTimeKind.Utc));

        await Writer.WriteAsync(DatedFileNames.RegistriesConf, "# distro\n[[registry]]\n", FileModes.Mode0644, default);

        Assert.Equal(["registries.conf", "registries_2023-01-02_06:04:05", "registries_2024-05-23_08:40:07"], List("etc/containers"));
        Assert.Equal("# distro\n", File.ReadAllText(_temp.Combine("etc/containers/registries_2023-01-02_06:04:05")));
        Assert.Equal(new DateTime(2023, 1, 2, 3, 4, 5, DateTimeKind.Utc), File.GetLastWriteTimeUtc(_temp.Combine("etc/containers/registries_2023-01-02_06:04:05")));
    }

    [Fact]
    public async Task WriteDated_ValidationFails_LeavesLiveFileAndNoNewVersion()
    {
        await Writer.WriteAsync(DatedFileNames.PolicyJson, "{\"v\":1}\n", FileModes.Mode0644, default);
        _time.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<InvalidDataException>(() => Writer.WriteDatedAsync(
            DatedFileNames.PolicyJson, "{broken", FileModes.Mode0644, _ => throw new InvalidDataException("bad"), default));

        Assert.Equal(["policy.json", "policy_2024-05-23_08:40:07"], List("etc/containers"));
        Assert.Equal("{\"v\":1}\n", File.ReadAllText(_temp.Combine("etc/containers/policy.json")));
    }

    [Fact]
    public async Task Write_LiveFileIsSymlink_WritesTheTargetAndKeepsTheLink()
    {
        Directory.CreateDirectory(_temp.Combine("etc"));
        File.WriteAllText(_temp.Combine("etc/hosts.real"), "old\n");
        File.CreateSymbolicLink(_temp.Combine("etc/hosts"), "hosts.real");

        await Writer.WriteAsync("/etc/hosts", "new\n", FileModes.Mode0644, default);

        Assert.Equal("hosts.real", new FileInfo(_temp.Combine("etc/hosts")).LinkTarget);
        Assert.Equal("new\n", File.ReadAllText(_temp.Combine("etc/hosts.real")));
    }

    /// <summary>Where others can write (the served keys/, a home), a link at the name is the entry itself: replaced, never followed.</summary>
    [Fact]
    public async Task Write_LinkInADirectoryOthersCanWrite_IsReplaced_ItsTargetUntouched()
    {
        Directory.CreateDirectory(_temp.Combine("etc"));
        File.WriteAllText(_temp.Combine("etc/passwd"), "root:x:0:0\n");
        Directory.CreateDirectory(_temp.Combine("var/sigstore/keys"));
        File.SetUnixFileMode(_temp.Combine("var/sigstore/keys"), FileModes.Mode0775);
        File.CreateSymbolicLink(_temp.Combine("var/sigstore/keys/policy.json"), "../../../etc/passwd");

        var change = await Writer.WriteAsync("/var/sigstore/keys/policy.json", "{}\n", FileModes.Mode0644, default);

        Assert.Equal(FileChangeKind.Updated, change.Kind);
        Assert.Equal("root:x:0:0\n", File.ReadAllText(_temp.Combine("etc/passwd")));
        Assert.Null(new FileInfo(_temp.Combine("var/sigstore/keys/policy.json")).LinkTarget);
        Assert.Equal("{}\n", File.ReadAllText(_temp.Combine("var/sigstore/keys/policy.json")));
    }

    [Fact]
    public async Task Write_ThroughALinkedDirectoryInADirectoryOthersCanWrite_IsRefused()
    {
        Directory.CreateDirectory(_temp.Combine("etc/private"));
        Directory.CreateDirectory(_temp.Combine("home/alice"));
        File.SetUnixFileMode(_temp.Combine("home/alice"), FileModes.Mode0775 | UnixFileMode.OtherWrite);
        Directory.CreateSymbolicLink(_temp.Combine("home/alice/.config"), _temp.Combine("etc/private"));

        var e = await Assert.ThrowsAsync<ClusterException>(() => Writer.WriteAsync("/home/alice/.config/policy.json", "{}", FileModes.Mode0644, default));

        Assert.Equal(ClusterErrorKind.Refused, e.Kind);
        Assert.Contains("/home/alice/.config is a symbolic link", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Combine("etc/private")));
    }

    [Fact]
    public async Task Read_Fifo_IsRefusedAtOnce_AndAWriteReplacesIt()
    {
        Directory.CreateDirectory(_temp.Combine("etc"));
        await Fifo.CreateAsync(_temp.Combine("etc/x.conf"));

        var read = Task.Run(() => Writer.ReadOrNull("/etc/x.conf"));
        var finished = await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(10)));
        if (finished != read)
        {
            Fifo.Unblock(_temp.Combine("etc/x.conf"));
        }

        Assert.Same(read, finished);
        var e = await Assert.ThrowsAsync<ClusterException>(() => read);
        Assert.Contains("not a regular file", e.Message, StringComparison.Ordinal);
        Assert.Equal(FileChangeKind.Updated, (await Writer.WriteAsync("/etc/x.conf", "a = 1\n", FileModes.Mode0644, default)).Kind);
        Assert.Equal("a = 1\n", File.ReadAllText(_temp.Combine("etc/x.conf")));
    }

    [Fact]
    public async Task Write_SecretFile_NeverMoreOpenThanItsMode()
    {
        await Writer.WriteAsync("/etc/u7s/secret", "key\n", FileModes.Mode0600, default);

        Assert.Equal(FileModes.Mode0600, FileModes.Get(_temp.Combine("etc/u7s/secret")));
    }

    [Fact]
    public async Task EnsureDirectory_SetsExactModeDespiteUmask()
    {
        var writer = Writer;
        Assert.True(writer.EnsureDirectory("/var/sigstore/keys", FileModes.Mode2775));
        Assert.False(writer.EnsureDirectory("/var/sigstore/keys", FileModes.Mode2775));

        Assert.Equal(FileModes.Mode2775, FileModes.Get(_temp.Combine("var/sigstore/keys")));
        await Task.CompletedTask;
    }

    private string[] List(string relative) =>
        Directory.GetFileSystemEntries(_temp.Combine(relative)).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToArray();
}
