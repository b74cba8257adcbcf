using Microsoft.Win32.SafeHandles;
using U7s.Native;

namespace U7s.Cluster.Accounts;

/// <summary><see cref="IFileOwnership"/> by the kernel calls themselves: <c>fchown(2)</c> and the inode-flags <c>ioctl</c>.</summary>
public sealed class DescriptorOwnership : IFileOwnership
{
    /// <summary>Deeper than any tree U7s writes (the data root is a few levels): deeper directories are left, and listed, rather than walked.</summary>
    private const int MaxDepth = 64;

    public static DescriptorOwnership Instance { get; } = new();

    public void SetOwner(SafeFileHandle file, int uid, int gid) => Wrap(() => DirectoryHandle.SetOwner(file, uid, gid), file);

    public void SetImmutable(SafeFileHandle file) => Wrap(() => DirectoryHandle.SetImmutable(file), file);

    public IReadOnlyList<string> SetOwnerRecursive(DirectoryHandle directory, int uid, int gid)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var skipped = new List<string>();
        Wrap(() => Walk(directory, string.Empty, 0, uid, gid, skipped), directory.Handle);
        return skipped;
    }

    // Depth first; each entry is pinned by descriptor before it is looked at, so what is checked is what is changed.
    private static void Walk(DirectoryHandle directory, string path, int depth, int uid, int gid, List<string> skipped)
    {
        DirectoryHandle.SetOwner(directory.Handle, uid, gid);
        foreach (var (name, _) in directory.Entries())
        {
            var shown = path.Length == 0 ? name : $"{path}/{name}";
            using var entry = directory.OpenEntryOrNull(name);
            if (entry is null)
            {
                continue;
            }

            var status = DirectoryHandle.Status(entry);
            if (status.IsDirectory)
            {
                using var child = depth < MaxDepth ? directory.OpenPinnedDirectoryOrNull(entry) : null;
                if (child is not null)
                {
                    Walk(child, shown, depth + 1, uid, gid, skipped);
                }
                else if (depth >= MaxDepth)
                {
                    skipped.Add(shown);
                }

                continue;
            }

            if (!status.IsSymbolicLink && status.Links > 1 && (status.Uid != uid || status.Gid != gid))
            {
                skipped.Add(shown);
                continue;
            }

            DirectoryHandle.SetEntryOwner(entry, uid, gid);
        }
    }

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
