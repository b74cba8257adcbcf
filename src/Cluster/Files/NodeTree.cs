using U7s.Native;

namespace U7s.Cluster.Files;

/// <summary>
/// The one way a node verb reaches a node path: walked name by name from the root held open by descriptor
/// (<see cref="DirectoryHandle"/>), never through a path string the kernel resolves again later. The same rules
/// hold on the host and under a staging root:
/// <list type="bullet">
/// <item>A symlink is followed only where no one but root (or this process's user) could have put it: in a
/// directory owned by one of them and not writable by others (or sticky, for a link owned by one of them). So a
/// distro's <c>/etc/hosts</c> link or the dated <c>policy.json</c> link is followed; a link in an imagemaker's
/// home or in the group-writable <c>/var/sigstore/keys</c> never is.</item>
/// <item>Such a link on the way to the last name is refused (<see cref="ClusterException"/>, Refused); as the last
/// name it is the entry itself, which a write replaces by a rename and never writes through.</item>
/// <item>Each directory is opened with <c>O_NOFOLLOW</c> relative to its parent's descriptor: one swapped for a
/// symlink between the check and the open is refused, and one swapped after the open no longer matters.</item>
/// <item>Under a staging root no link leads out of it (an absolute target must lie inside, <c>..</c> stops being
/// allowed at the root); on the host <c>..</c> at <c>/</c> stays there, as the kernel does it.</item>
/// </list>
/// </summary>
internal static class NodeTree
{
    private const int MaxLinks = 40;

    /// <summary>
    /// The directory holding the last name of <paramref name="nodePath"/>, or null when a directory on the way does
    /// not exist and <paramref name="createParents"/> is null (otherwise missing ones are created with that mode).
    /// With <paramref name="followLastLink"/> a trusted symlink at the end is followed to what it names.
    /// </summary>
    public static NodeLocation? LocateOrNull(NodeRoot root, string nodePath, UnixFileMode? createParents, bool followLastLink)
    {
        var pending = new LinkedList<string>(root.Names(nodePath));
        if (pending.Count == 0)
        {
            throw new ClusterException($"node path names the root itself: {nodePath}", ClusterErrorKind.Usage);
        }

        var stack = new List<(DirectoryHandle Handle, string Path)> { (OpenRoot(root), "/") };
        var links = 0;
        try
        {
            while (true)
            {
                var name = pending.First!.Value;
                pending.RemoveFirst();
                var (current, path) = stack[^1];
                if (name == "..")
                {
                    Climb(root, stack, nodePath);
                    continue;
                }

                var last = pending.Count == 0;
                var shown = path.TrimEnd('/') + "/" + name;
                var entry = current.StatusOrNull(name);
                if (entry is { IsSymbolicLink: true } link && (!last || followLastLink))
                {
                    if (!current.Status().KeepsEntry(link))
                    {
                        if (last)
                        {
                            return Take(stack, name, nodePath);
                        }

                        throw Planted(nodePath, shown, path);
                    }

                    if (++links > MaxLinks)
                    {
                        throw new ClusterException($"{nodePath}: more than {MaxLinks} symbolic links on the way", ClusterErrorKind.Refused);
                    }

                    Expand(root, stack, pending, current.ReadLinkOrNull(name) ?? throw new ClusterException($"{shown}: cannot read the symbolic link"), nodePath);
                    continue;
                }

                if (last)
                {
                    return Take(stack, name, nodePath);
                }

                if (OpenDirectoryOrNull(current, name, entry, createParents, nodePath, shown, path) is not { } next)
                {
                    return null;
                }

                stack.Add((next, shown));
            }
        }
        catch (UnsafePathException)
        {
            throw new ClusterException($"{nodePath}: a directory on the way was replaced by a symbolic link while it was being opened; nothing is read or written through it", ClusterErrorKind.Refused);
        }
        finally
        {
            foreach (var (handle, _) in stack)
            {
                handle.Dispose();
            }
        }
    }

    private static DirectoryHandle OpenRoot(NodeRoot root)
    {
        // The root path itself is configuration (it may contain symlinks); a readable descriptor can be fsync-ed.
        using var path = DirectoryHandle.OpenRootOrNull(root.Path) ?? throw new ClusterException($"the root {root.Path} cannot be opened", ClusterErrorKind.Usage);
        return path.OpenDirectoryOrNull(string.Empty) ?? throw new ClusterException($"the root {root.Path} cannot be opened", ClusterErrorKind.Usage);
    }

    private static DirectoryHandle? OpenDirectoryOrNull(DirectoryHandle current, string name, EntryStatus? entry, UnixFileMode? createParents, string nodePath, string shown, string path)
    {
        if (entry is null)
        {
            return createParents is { } mode ? current.OpenOrCreateDirectory(name, mode, out _) : null;
        }

        if (!entry.Value.IsDirectory)
        {
            throw new ClusterException($"{nodePath}: {shown} is not a directory", ClusterErrorKind.Refused);
        }

        // Null: it was a directory a moment ago and is something else now, which only someone racing us does.
        return current.OpenDirectoryOrNull(name) ?? throw Planted(nodePath, shown, path);
    }

    private static NodeLocation Take(List<(DirectoryHandle Handle, string Path)> stack, string name, string nodePath)
    {
        var (handle, _) = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return new NodeLocation(handle, name, nodePath);
    }

    private static void Climb(NodeRoot root, List<(DirectoryHandle Handle, string Path)> stack, string nodePath)
    {
        if (stack.Count > 1)
        {
            stack[^1].Handle.Dispose();
            stack.RemoveAt(stack.Count - 1);
        }
        else if (!root.IsHost)
        {
            throw Escapes(root, nodePath);
        }
    }

    // The link's names take its place; an absolute target starts again from the root.
    private static void Expand(NodeRoot root, List<(DirectoryHandle Handle, string Path)> stack, LinkedList<string> pending, string target, string nodePath)
    {
        if (target.StartsWith('/'))
        {
            if (!root.IsHost)
            {
                // A staging tree's links name host paths inside it (absolute links into / would be the host's files).
                target = target.StartsWith(root.Path + "/", StringComparison.Ordinal) ? target[root.Path.Length..] : throw Escapes(root, nodePath);
            }

            while (stack.Count > 1)
            {
                stack[^1].Handle.Dispose();
                stack.RemoveAt(stack.Count - 1);
            }
        }

        foreach (var name in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(n => n != ".").Reverse())
        {
            pending.AddFirst(name);
        }
    }

    private static ClusterException Escapes(NodeRoot root, string nodePath) =>
        new($"path escapes the root {root.Path} through a symlink: {nodePath}", ClusterErrorKind.Usage);

    private static ClusterException Planted(string nodePath, string shown, string directory) =>
        new($"{nodePath}: {shown} is a symbolic link (or was swapped for one) in {directory}, which others can write; nothing is read or written through it", ClusterErrorKind.Refused);
}
