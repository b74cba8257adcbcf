namespace U7s.Cluster.Files;

/// <summary>
/// The directory that plays the role of <c>/</c> for every node file (default <c>/</c>; a staging
/// tree in tests and image builds). Node paths are absolute (<c>/etc/hosts</c>) and are mapped under
/// the root; any path that would leave it is refused, including through a symlink.
/// </summary>
public sealed class NodeRoot
{
    public NodeRoot(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        Path = full.Length > 1 ? full.TrimEnd('/') : full;
    }

    /// <summary>The root as a full host path without a trailing slash (<c>/</c> itself for the host).</summary>
    public string Path { get; }

    /// <summary>True when the root is the real <c>/</c>: the node itself is changed.</summary>
    public bool IsHost => Path == "/";

    /// <summary>
    /// The host path of the absolute node path <paramref name="nodePath"/>. Throws
    /// <see cref="ClusterException"/> if the path is relative, contains <c>..</c> that climbs out, or
    /// crosses an existing symlink whose target lies outside the root.
    /// </summary>
    public string Resolve(string nodePath)
    {
        var full = Lexical(nodePath);
        CheckSymlinks(full, nodePath);
        return full;
    }

    /// <summary>
    /// The names of <paramref name="nodePath"/> below the root, with <c>.</c> and <c>..</c> resolved as text (a
    /// <c>..</c> that climbs out throws, as in <see cref="Resolve"/>); symlinks are the walker's business.
    /// </summary>
    public IReadOnlyList<string> Names(string nodePath) =>
        Lexical(nodePath)[Path.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries);

    private string Lexical(string nodePath)
    {
        ArgumentNullException.ThrowIfNull(nodePath);
        if (!nodePath.StartsWith('/') || nodePath.Contains('\0', StringComparison.Ordinal))
        {
            throw new ClusterException($"node path must be absolute: {nodePath}", ClusterErrorKind.Usage);
        }

        var full = System.IO.Path.GetFullPath(System.IO.Path.Join(Path, nodePath));
        return IsInside(full) ? full : throw new ClusterException($"path escapes the root {Path}: {nodePath}", ClusterErrorKind.Usage);
    }

    /// <summary>The node path (<c>/etc/hosts</c>) of a host path under the root.</summary>
    public string ToNodePath(string hostPath)
    {
        var full = System.IO.Path.GetFullPath(hostPath);
        if (!IsInside(full))
        {
            throw new ClusterException($"path is outside the root {Path}: {hostPath}", ClusterErrorKind.Usage);
        }

        return IsHost ? full : "/" + full[Path.Length..].TrimStart('/');
    }

    private bool IsInside(string full) =>
        IsHost || full == Path || full.StartsWith(Path + "/", StringComparison.Ordinal);

    // A symlink in the staging tree pointing at /etc/... would make a staged write land on the host.
    private void CheckSymlinks(string full, string nodePath)
    {
        if (IsHost)
        {
            return;
        }

        var current = Path;
        foreach (var part in full[Path.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current = System.IO.Path.Join(current, part);
            var info = new FileInfo(current);
            if (info.LinkTarget is not { } target)
            {
                if (!info.Exists && !Directory.Exists(current))
                {
                    return;
                }

                continue;
            }

            var resolved = System.IO.Path.IsPathRooted(target)
                ? target
                : System.IO.Path.GetFullPath(System.IO.Path.Join(System.IO.Path.GetDirectoryName(current), target));
            if (!IsInside(resolved))
            {
                throw new ClusterException($"path escapes the root {Path} through a symlink: {nodePath}", ClusterErrorKind.Usage);
            }
        }
    }
}
