using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace U7s.Native;

/// <summary>
/// What root's node verbs need beyond the signature tree: one entry by name (a directory created never through a
/// link, a link made or read), an entry pinned by an <c>O_PATH</c> descriptor, and owner, mode and flags changed
/// on a descriptor, never on a path.
/// </summary>
public sealed partial class DirectoryHandle
{
    /// <summary>
    /// The directory entry <paramref name="name"/> of this directory, created with exactly <paramref name="mode"/>
    /// when missing (<paramref name="created"/> true). MUST throw <see cref="UnsafePathException"/> when the name
    /// is a symlink or not a directory.
    /// </summary>
    public DirectoryHandle OpenOrCreateDirectory(string name, UnixFileMode mode, out bool created)
    {
        CheckName(name);
        var handle = OpenOrCreateDirectory(_handle, name, mode, name, out created);
        return new DirectoryHandle(handle, _resolveInOneCall);
    }

    /// <summary>The target of the symlink <paramref name="name"/> of this directory, or null when it is not one.</summary>
    public string? ReadLinkOrNull(string name)
    {
        CheckName(name);
        return Libc.ReadLinkAt(_handle, name);
    }

    /// <summary><c>symlinkat(2)</c>: creates the symlink <paramref name="name"/> to <paramref name="target"/>; MUST fail when the name is taken.</summary>
    public void CreateSymbolicLink(string name, string target)
    {
        CheckName(name);
        if (Libc.SymlinkAt(target, _handle, name) != 0)
        {
            throw Libc.Error(Marshal.GetLastPInvokeError(), $"symlink {name}");
        }
    }

    /// <summary>Flushes this directory's entries to disk (<c>fsync</c>), so a rename in it survives a power cut.</summary>
    public void Sync()
    {
        if (Libc.FSync(_handle) != 0)
        {
            throw Libc.Error(Marshal.GetLastPInvokeError(), "fsync directory");
        }
    }

    /// <summary><c>fchown(2)</c>: the owner of exactly the open file or directory, never of whatever a path names now.</summary>
    public static void SetOwner(SafeFileHandle file, int uid, int gid)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (Libc.FChown(file, (uint)uid, (uint)gid) != 0)
        {
            throw Libc.Error(Marshal.GetLastPInvokeError(), $"chown {uid}:{gid}");
        }
    }

    /// <summary>
    /// The entry <paramref name="name"/> itself, pinned by an <c>O_PATH|O_NOFOLLOW</c> descriptor (a symlink, FIFO or
    /// device is not opened, only held): for looking at it (<see cref="Status(SafeFileHandle)"/>) and changing its owner
    /// (<see cref="SetEntryOwner"/>) with no second lookup by name in between. Null when it is gone.
    /// </summary>
    public SafeFileHandle? OpenEntryOrNull(string name)
    {
        CheckName(name);
        var fd = Libc.OpenAt(_handle, name, Libc.OPath | Libc.ONoFollow | Libc.OCloExec, 0);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : AbsentOrThrow<SafeFileHandle>(name);
    }

    /// <summary>The directory an <see cref="OpenEntryOrNull"/> descriptor pins, opened through it (never by name again); null when it is not a directory.</summary>
    public DirectoryHandle? OpenPinnedDirectoryOrNull(SafeFileHandle entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var fd = Libc.OpenAt(entry, ".", Libc.ORdOnly | Libc.ODirectory | Libc.OCloExec, 0);
        return fd >= 0 ? new DirectoryHandle(new SafeFileHandle(fd, ownsHandle: true), _resolveInOneCall) : AbsentOrThrow<DirectoryHandle>(".");
    }

    /// <summary><c>fchownat(fd, "", AT_EMPTY_PATH)</c>: the owner of exactly the entry <paramref name="entry"/> pins (a symlink itself, not its target).</summary>
    public static void SetEntryOwner(SafeFileHandle entry, int uid, int gid)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (Libc.FChownAt(entry, string.Empty, (uint)uid, (uint)gid, Libc.AtEmptyPath) != 0)
        {
            throw Libc.Error(Marshal.GetLastPInvokeError(), $"chown {uid}:{gid}");
        }
    }

    /// <summary>The exact mode of the open file or directory (<c>fchmod</c>, the umask plays no part).</summary>
    public static void SetMode(SafeFileHandle file, UnixFileMode mode)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("directory handles need Linux");
        }

        File.SetUnixFileMode(file, mode);
    }

    /// <summary>Sets the immutable flag (<c>chattr +i</c>) of the open file or directory; needs root and a filesystem that has it.</summary>
    public static void SetImmutable(SafeFileHandle file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!Libc.GetInodeFlags(file, out var flags) || !Libc.SetInodeFlags(file, flags | Libc.FsImmutable))
        {
            throw Libc.Error(Marshal.GetLastPInvokeError(), "chattr +i");
        }
    }

    /// <summary>The path the kernel has for an open descriptor (<c>/proc/self/fd</c>): for messages and test records only, never to open.</summary>
    public static string PathOf(SafeFileHandle file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return new FileInfo($"/proc/self/fd/{file.DangerousGetHandle()}").LinkTarget ?? "?";
    }
}
