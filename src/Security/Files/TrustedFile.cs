using U7s.Native;

namespace U7s.Security.Files;

/// <summary>
/// Whether only root (or the user this process runs as) can change a file: the file itself, if it
/// exists, is a regular file owned by one of them and not group- or world-writable; the directory
/// that holds it (the closest existing one when it does not exist yet, since whoever can write there
/// can create it) is the same; every directory above is owned by one of them and not writable by
/// others unless sticky (<c>/tmp</c>: others cannot rename what they do not own). Anything else lets
/// someone else put their own content there, so a file that grants rights must pass this check.
/// A symlink passes when it passes as a file would (only root could have made it) and what it names passes
/// too: the dated <c>/etc/containers/policy.json</c> link <c>create-policy</c> writes is such a one.
/// </summary>
public static class TrustedFile
{
    private const int MaxLinks = 8;

    /// <summary>A one-line problem naming <paramref name="setting"/>, or null when only root or this process's user can change <paramref name="path"/>.</summary>
    public static string? Problem(string path, string setting)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!Path.IsPathFullyQualified(path))
        {
            return $"{setting} '{path}' must be an absolute path";
        }

        return OperatingSystem.IsLinux() ? Problem(Path.GetFullPath(path), setting, 0) : null;
    }

    private static string? Problem(string full, string setting, int links)
    {
        if (FilePaths.StatusOrNull(full, followLinks: false) is { } file)
        {
            if (file.IsSymbolicLink)
            {
                if (links >= MaxLinks)
                {
                    return $"{setting} '{full}': more than {MaxLinks} symbolic links";
                }

                // The link itself must be root's (its directories pass), then what it names is judged the same way.
                var target = new FileInfo(full).LinkTarget!;
                return DirectoryProblem(full, setting)
                    ?? Problem(Path.GetFullPath(target, Path.GetDirectoryName(full)!), setting, links + 1);
            }

            if (!file.IsRegularFile || !file.IsOwnedByUs || file.IsWritableByOthers)
            {
                return $"{setting} '{full}' must be a regular file owned by root (or the service user) and not group- or world-writable (it is {Describe(file)}): fix with chown root: and chmod 644";
            }
        }

        return DirectoryProblem(full, setting);
    }

    private static string? DirectoryProblem(string full, string setting)
    {
        var closest = true;
        for (var directory = Path.GetDirectoryName(full); directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (FilePaths.StatusOrNull(directory, followLinks: true) is not { } entry)
            {
                continue;
            }

            if (!entry.IsDirectory || !entry.IsOwnedByUs || (entry.IsWritableByOthers && (closest || !entry.IsSticky)))
            {
                return $"{setting} '{full}': directory '{directory}' must be owned by root (or the service user) and not group- or world-writable (it is {Describe(entry)}), or others could replace the file";
            }

            closest = false;
        }

        return null;
    }

    private static string Describe(EntryStatus entry) => $"uid {entry.Uid}, mode {Convert.ToString(entry.Mode & 0xFFF, 8)}";
}
