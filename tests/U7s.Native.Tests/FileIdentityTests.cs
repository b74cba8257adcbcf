using U7s.Native;

namespace U7s.Native.Tests;

/// <summary>
/// What the signature store's kept root relies on: a path's status names the same (device, inode) as the
/// descriptor opened from it, and another directory put at that path does not; and the plain positional read.
/// </summary>
public sealed class FileIdentityTests : IDisposable
{
    private readonly TempDirectory _temp = new("u7s-identity");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void PathStatus_AndTheOpenedRoot_AgreeOnIdentity_UntilAnotherDirectoryTakesThePath()
    {
        var root = _temp.Combine("root");
        Directory.CreateDirectory(root);
        using var opened = DirectoryHandle.OpenRootOrNull(root)!;
        var byPath = DirectoryHandle.PathStatusOrNull(root)!.Value;
        var byHandle = opened.Status();
        Assert.NotEqual(0UL, byHandle.Inode);
        Assert.Equal((byHandle.Device, byHandle.Inode), (byPath.Device, byPath.Inode));

        Directory.Move(root, _temp.Combine("moved"));
        Directory.CreateDirectory(root);
        var now = DirectoryHandle.PathStatusOrNull(root)!.Value;
        Assert.NotEqual((byHandle.Device, byHandle.Inode), (now.Device, now.Inode));

        Directory.Delete(root);
        Assert.Null(DirectoryHandle.PathStatusOrNull(root));
    }

    [Fact]
    public void ReadAt_ReadsFromTheOffset_AndZeroAtTheEnd()
    {
        var path = _temp.Combine("file");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5]);
        using var file = File.OpenHandle(path);
        var buffer = new byte[8];

        Assert.Equal(3, DirectoryHandle.ReadAt(file, buffer, 2));
        Assert.Equal(new byte[] { 3, 4, 5 }, buffer[..3]);
        Assert.Equal(0, DirectoryHandle.ReadAt(file, buffer, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => DirectoryHandle.ReadAt(file, buffer, -1));
    }
}
