using U7s.Native;

namespace U7s.Native.Tests;

/// <summary>
/// The primitives root's node verbs build on: which directories may have their links followed, owners changed on
/// exactly the entry pinned, new directories never through a link. Run as root, as CI does, so owners can change.
/// </summary>
public sealed class DirectoryHandleOwnershipTests : IDisposable
{
    private const UnixFileMode Mode0755 = (UnixFileMode)0x1ED;
    private readonly TempDirectory _temp = new("u7s-dirhandle-owner");

    public void Dispose() => _temp.Dispose();

    [RequiresRootFact("chown")]
    public async Task TrustedDirectory_IsOursAndNotWritableByOthers_StickyKeepsOnlyOurEntries()
    {
        foreach (var (name, mode) in new[] { ("ours", "755"), ("group", "775"), ("sticky", "1777") })
        {
            Directory.CreateDirectory(_temp.Combine(name));
            File.SetUnixFileMode(_temp.Combine(name), (UnixFileMode)Convert.ToInt32(mode, 8));
        }

        Directory.CreateDirectory(_temp.Combine("user"));
        File.WriteAllText(_temp.Combine("sticky", "mine"), "x");
        File.WriteAllText(_temp.Combine("sticky", "theirs"), "x");
        (await ExternalProcess.RunAsync("chown", ["1500:1500", _temp.Combine("user"), _temp.Combine("sticky", "theirs")])).EnsureSuccess("chown");
        using var root = DirectoryHandle.OpenRootOrNull(_temp.Path)!;
        using var ours = root.OpenDirectoryOrNull("ours")!;
        using var group = root.OpenDirectoryOrNull("group")!;
        using var user = root.OpenDirectoryOrNull("user")!;
        using var sticky = root.OpenDirectoryOrNull("sticky")!;

        Assert.True(ours.Status().IsTrustedDirectory);
        Assert.False(group.Status().IsTrustedDirectory);
        Assert.False(user.Status().IsTrustedDirectory);
        Assert.False(sticky.Status().IsTrustedDirectory);
        Assert.True(sticky.Status().KeepsEntry(sticky.StatusOrNull("mine")!.Value));
        Assert.False(sticky.Status().KeepsEntry(sticky.StatusOrNull("theirs")!.Value));
        Assert.False(group.Status().KeepsEntry(ours.Status()));
    }

    [RequiresRootFact("stat")]
    public async Task SetEntryOwner_OnASymlink_ChangesTheLinkNeverItsTarget()
    {
        File.WriteAllText(_temp.Combine("target"), "root's");
        File.CreateSymbolicLink(_temp.Combine("link"), _temp.Combine("target"));
        using var root = DirectoryHandle.OpenRootOrNull(_temp.Path)!;

        using (var entry = root.OpenEntryOrNull("link")!)
        {
            Assert.True(DirectoryHandle.Status(entry).IsSymbolicLink);
            DirectoryHandle.SetEntryOwner(entry, 1500, 1500);
        }

        var owners = await ExternalProcess.RunAsync("stat", ["-c", "%u:%g", _temp.Combine("link"), _temp.Combine("target")]);
        Assert.Equal(["1500:1500", "0:0"], owners.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void OpenPinnedDirectory_OpensWhatWasPinned_EvenAfterTheNameIsSwappedForALink()
    {
        Directory.CreateDirectory(_temp.Combine("real"));
        File.WriteAllText(_temp.Combine("real", "inside"), "x");
        Directory.CreateDirectory(_temp.Combine("elsewhere"));
        using var root = DirectoryHandle.OpenRootOrNull(_temp.Path)!;
        using var pinned = root.OpenEntryOrNull("real")!;

        Directory.Move(_temp.Combine("real"), _temp.Combine("moved"));
        Directory.CreateSymbolicLink(_temp.Combine("real"), _temp.Combine("elsewhere"));
        using var opened = root.OpenPinnedDirectoryOrNull(pinned)!;

        Assert.Equal(["inside"], opened.Entries().Select(e => e.Name));
        File.WriteAllText(_temp.Combine("plain"), "x");
        using var plain = root.OpenEntryOrNull("plain")!;
        Assert.Null(root.OpenPinnedDirectoryOrNull(plain));
    }

    [Fact]
    public void OpenOrCreateDirectory_NeverThroughALink_AndLinksAreMadeAndReadByName()
    {
        using var root = DirectoryHandle.OpenRootOrNull(_temp.Path)!;
        using var created = root.OpenOrCreateDirectory("new", Mode0755, out var wasCreated);
        using var again = root.OpenOrCreateDirectory("new", Mode0755, out var createdAgain);
        root.CreateSymbolicLink("link", "new");

        Assert.True(wasCreated);
        Assert.False(createdAgain);
        Assert.Equal(Mode0755, created.Status().Permissions);
        Assert.Equal("new", root.ReadLinkOrNull("link"));
        Assert.Null(root.ReadLinkOrNull("new"));
        Assert.Throws<UnsafePathException>(() => root.OpenOrCreateDirectory("link", Mode0755, out _));
        Assert.Throws<ArgumentException>(() => root.OpenOrCreateDirectory("../escape", Mode0755, out _));
    }

    /// <summary>The "access denied" branch runs as nobody in OneLineFailureTests (root may read anything).</summary>
    [Fact]
    public void OpenFileOrNull_ALinkOrAMissingNameIsNull_AFileOpens()
    {
        File.WriteAllText(_temp.Combine("file"), "x");
        File.CreateSymbolicLink(_temp.Combine("link"), _temp.Combine("file"));
        using var root = DirectoryHandle.OpenRootOrNull(_temp.Path)!;

        Assert.Null(root.OpenFileOrNull("link"));
        Assert.Null(root.OpenFileOrNull("absent"));
        using var handle = root.OpenFileOrNull("file");
        Assert.True(DirectoryHandle.Status(handle!).IsRegularFile);
    }
}
