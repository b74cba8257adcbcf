using Microsoft.Win32.SafeHandles;
using U7s.Native;

namespace U7s.Cluster.Accounts;

/// <summary><see cref="IFileOwnership"/> by the kernel calls themselves: <c>fchown(2)</c> and the inode-flags <c>ioctl</c>.</summary>
public sealed class DescriptorOwnership : IFileOwnership
{
    public static DescriptorOwnership Instance { get; } = new();

    public void SetOwner(SafeFileHandle file, int uid, int gid) => Wrap(() => DirectoryHandle.SetOwner(file, uid, gid), file);

    public void SetImmutable(SafeFileHandle file) => Wrap(() => DirectoryHandle.SetImmutable(file), file);

    private static void Wrap(Action action, SafeFileHandle file)
    {
        try
        {
            action();
        }
        catch (IOException e)
        {
            throw new ClusterException($"{DirectoryHandle.PathOf(file)}: {e.Message}");
        }
    }
}
