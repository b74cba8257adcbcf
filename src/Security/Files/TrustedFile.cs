using System.Runtime.InteropServices;

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
public static partial class TrustedFile
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxTypeModeUid = 0x1 | 0x2 | 0x8;
    private const int Enoent = 2;
    private const int Enotdir = 20;
    private const int TypeMask = 0xF000;
    private const int Regular = 0x8000;
    private const int Directory = 0x4000;
    private const int Symlink = 0xA000;
    private const int Sticky = 0x200;
    private const int WritableByOthers = 0x12; // 0022: group and world write
    private const int MaxLinks = 8;

    /// <summary>A one-line problem naming <paramref name="setting"/>, or null when only root or this process's user can change <paramref name="path"/>.</summary>
    public static string? Problem(string path, string setting)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!Path.IsPathFullyQualified(path))
        {
            return $"{setting} '{path}' must be an absolute path";
        }

        return OperatingSystem.IsLinux() ? Problem(Path.GetFullPath(path), setting, GetEuid(), 0) : null;
    }

    private static string? Problem(string full, string setting, uint self, int links)
    {
        if (Stat(full, follow: false) is { } file)
        {
            if ((file.Mode & TypeMask) == Symlink)
            {
                if (links >= MaxLinks)
                {
                    return $"{setting} '{full}': more than {MaxLinks} symbolic links";
                }

                // The link itself must be root's (its directories pass), then what it names is judged the same way.
                var target = new FileInfo(full).LinkTarget!;
                return DirectoryProblem(full, setting, self)
                    ?? Problem(Path.GetFullPath(target, Path.GetDirectoryName(full)!), setting, self, links + 1);
            }

            if ((file.Mode & TypeMask) != Regular || !OwnedSafely(file, self) || (file.Mode & WritableByOthers) != 0)
            {
                return $"{setting} '{full}' must be a regular file owned by root (or the service user) and not group- or world-writable (it is {Describe(file)}): fix with chown root: and chmod 644";
            }
        }

        return DirectoryProblem(full, setting, self);
    }

    private static string? DirectoryProblem(string full, string setting, uint self)
    {
        var closest = true;
        for (var directory = Path.GetDirectoryName(full); directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (Stat(directory, follow: true) is not { } entry)
            {
                continue;
            }

            var writable = (entry.Mode & WritableByOthers) != 0;
            if ((entry.Mode & TypeMask) != Directory || !OwnedSafely(entry, self) || (writable && (closest || (entry.Mode & Sticky) == 0)))
            {
                return $"{setting} '{full}': directory '{directory}' must be owned by root (or the service user) and not group- or world-writable (it is {Describe(entry)}), or others could replace the file";
            }

            closest = false;
        }

        return null;
    }

    private static bool OwnedSafely(Entry entry, uint self) => entry.Uid == 0 || entry.Uid == self;

    private static string Describe(Entry entry) => $"uid {entry.Uid}, mode {Convert.ToString(entry.Mode & 0xFFF, 8)}";

    private static unsafe Entry? Stat(string path, bool follow)
    {
        var buffer = stackalloc byte[256];
        if (Statx(AtFdCwd, path, follow ? 0 : AtSymlinkNoFollow, StatxTypeModeUid, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is Enoent or Enotdir ? null : throw new IOException($"cannot stat '{path}': errno {errno}");
        }

        // struct statx (linux/stat.h), the same on every architecture: stx_uid at 20, stx_mode (16 bits) at 28.
        return new Entry(*(uint*)(buffer + 20), *(ushort*)(buffer + 28));
    }

    private readonly record struct Entry(uint Uid, int Mode);

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int Statx(int directoryFd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();
}
