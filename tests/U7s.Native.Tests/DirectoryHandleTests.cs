using System.Net.Sockets;
using U7s.Native;

namespace U7s.Native.Tests;

/// <summary>
/// The one place the filesystem tree touches the disk: no symlink is followed at any level, a FIFO never
/// blocks, writes stay on the directories they opened. Each read case runs with <c>openat2</c> and with the
/// per-directory walk that replaces it on older kernels.
/// </summary>
public sealed class DirectoryHandleTests : IDisposable
{
    private readonly TempDirectory _temp = new("u7s-dirhandle");
    private readonly TempDirectory _outside = new("u7s-outside");

    public DirectoryHandleTests()
    {
        Directory.CreateDirectory(_temp.Combine("a", "b"));
        File.WriteAllText(_temp.Combine("a", "b", "file"), "inside");
        File.WriteAllText(_outside.Combine("secret"), "outside");
    }

    public void Dispose()
    {
        _temp.Dispose();
        _outside.Dispose();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OpenRead_RegularFile_IsOpenedAndPublic(bool resolveInOneCall)
    {
        using var root = Root(resolveInOneCall);

        using var handle = root.OpenReadOrNull("a/b/file");

        Assert.NotNull(handle);
        var status = DirectoryHandle.Status(handle);
        Assert.True(status.IsPublicFile);
        Assert.Equal(6, status.Length);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OpenRead_SymlinkAtAnyLevel_IsNull(bool resolveInOneCall)
    {
        File.CreateSymbolicLink(_temp.Combine("a", "b", "leaf"), _outside.Combine("secret"));
        File.CreateSymbolicLink(_temp.Combine("a", "b", "relative"), "file");
        File.CreateSymbolicLink(_temp.Combine("a", "b", "dangling"), _outside.Combine("absent"));
        Directory.CreateSymbolicLink(_temp.Combine("a", "out"), _outside.Path);
        Directory.CreateSymbolicLink(_temp.Combine("slash"), "/");
        using var root = Root(resolveInOneCall);

        Assert.Null(root.OpenReadOrNull("a/b/leaf"));
        Assert.Null(root.OpenReadOrNull("a/b/relative"));
        Assert.Null(root.OpenReadOrNull("a/b/dangling"));
        Assert.Null(root.OpenReadOrNull("a/out/secret"));
        Assert.Null(root.OpenReadOrNull("slash/etc/passwd"));
        Assert.Null(root.OpenReadOrNull("a/b/file/x"));
        Assert.False(root.IsDirectory("a/out"));
        Assert.False(root.IsDirectory("slash"));
        Assert.False(root.IsDirectory("a/b/file"));
        Assert.True(root.IsDirectory("a/b"));
        Assert.Null(root.OpenDirectoryOrNull("slash"));
        Assert.Null(root.OpenDirectoryOrNull("slash/etc"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OpenRead_Fifo_ReturnsAtOnceAsNotAFile(bool resolveInOneCall)
    {
        await Fifo.CreateAsync(_temp.Combine("a", "fifo"));
        using var root = Root(resolveInOneCall);

        // Without O_NONBLOCK this open would wait for a writer forever.
        var open = Task.Run(() => root.OpenReadOrNull("a/fifo"));
        var finished = await Task.WhenAny(open, Task.Delay(TimeSpan.FromSeconds(10)));

        if (finished != open)
        {
            Fifo.Unblock(_temp.Combine("a", "fifo"));
        }

        Assert.Same(open, finished);
        using var handle = await open;
        Assert.NotNull(handle);
        Assert.False(DirectoryHandle.Status(handle).IsPublicFile);
        Assert.False(DirectoryHandle.Status(handle).IsDirectory);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OpenRead_SocketIsNull_PrivateFileIsNotPublic(bool resolveInOneCall)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(_temp.Combine("a", "socket")));
        File.WriteAllText(_temp.Combine("a", "private"), "secret");
        File.SetUnixFileMode(_temp.Combine("a", "private"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        using var root = Root(resolveInOneCall);

        Assert.Null(root.OpenReadOrNull("a/socket"));
        using var handle = root.OpenReadOrNull("a/private");
        Assert.False(DirectoryHandle.Status(handle!).IsPublicFile);
    }

    [Fact]
    public void Entries_DescribeTheNamesThemselves()
    {
        File.CreateSymbolicLink(_temp.Combine("a", "link"), _outside.Combine("secret"));
        Directory.CreateSymbolicLink(_temp.Combine("a", "dirlink"), _outside.Path);
        using var root = Root(true);
        using var directory = root.OpenDirectoryOrNull("a")!;

        var entries = directory.Entries().ToDictionary(e => e.Name, e => e.Status);

        Assert.Equal(["b", "dirlink", "link"], entries.Keys.Order(StringComparer.Ordinal));
        Assert.True(entries["b"].IsDirectory);
        Assert.False(entries["dirlink"].IsDirectory);
        Assert.False(entries["link"].IsPublicFile);
        Assert.NotEqual(7, entries["link"].Length);
    }

    [Fact]
    public void CreateDirectories_ThroughASymlinkOrAFile_Throws_AndCreatesNothingOutside()
    {
        Directory.CreateSymbolicLink(_temp.Combine("a", "out"), _outside.Path);
        using var root = Root(true);

        var symlink = Assert.Throws<UnsafePathException>(() => root.CreateDirectories("a/out/new", null));
        var file = Assert.Throws<UnsafePathException>(() => root.CreateDirectories("a/b/file/new", null));

        Assert.Contains("a/out", symlink.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_outside.Path, symlink.Message, StringComparison.Ordinal);
        Assert.Contains("a/b/file", file.Message, StringComparison.Ordinal);
        Assert.Equal([_outside.Combine("secret")], Directory.GetFileSystemEntries(_outside.Path));
    }

    [Fact]
    public void CreateDirectories_SetsTheModeOnNewDirectoriesOnly()
    {
        const UnixFileMode Shared = (UnixFileMode)0x5FD; // 2775
        using var root = Root(true);

        using (root.CreateDirectories("a/n1/n2", Shared))
        {
        }

        Assert.Equal(Shared, File.GetUnixFileMode(_temp.Combine("a", "n1")));
        Assert.Equal(Shared, File.GetUnixFileMode(_temp.Combine("a", "n1", "n2")));
        Assert.NotEqual(Shared, File.GetUnixFileMode(_temp.Combine("a")));
    }

    [Fact]
    public void OpenedDirectory_SwappedForASymlink_WritesStayInTheTree()
    {
        using var root = Root(true);
        using var directory = root.CreateDirectories("a/b", null);

        // A group member renames the directory away and plants a symlink to the outside in its place.
        Directory.Move(_temp.Combine("a", "b"), _temp.Combine("a", "moved"));
        Directory.CreateSymbolicLink(_temp.Combine("a", "b"), _outside.Path);
        using (var file = directory.CreateNewFile(".tmp", UnixFileMode.UserRead | UnixFileMode.UserWrite))
        {
            RandomAccess.Write(file, "x"u8, 0);
        }

        Assert.True(directory.TryLink(".tmp", "signature-1"));
        directory.Rename(".tmp", "replaced");
        directory.Delete("file");

        Assert.Equal(["replaced", "signature-1"], Directory.GetFileSystemEntries(_temp.Combine("a", "moved")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal([_outside.Combine("secret")], Directory.GetFileSystemEntries(_outside.Path));
    }

    [Fact]
    public void TryLink_OntoASymlink_IsTakenAndLeavesItsTargetAlone()
    {
        File.CreateSymbolicLink(_temp.Combine("a", "b", "signature-1"), _outside.Combine("planted"));
        using var root = Root(true);
        using var directory = root.CreateDirectories("a/b", null);
        using (directory.CreateNewFile(".tmp", UnixFileMode.UserRead))
        {
        }

        Assert.False(directory.TryLink(".tmp", "signature-1"));
        Assert.False(File.Exists(_outside.Combine("planted")));
    }

    private DirectoryHandle Root(bool resolveInOneCall) => DirectoryHandle.OpenRootOrNull(_temp.Path, resolveInOneCall)!;
}
