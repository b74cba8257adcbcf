using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace U7s.Native;

/// <summary>
/// A directory held open by descriptor, with every name below it resolved from that descriptor and never
/// through a symlink, at any level: the one way U7s touches a tree that someone else can write (the signature
/// tree, which any member of the signer group writes; imagemakers' homes and the served <c>keys/</c>, which
/// root's node verbs write into). The root path a caller opens is trusted (an admin setting); everything below
/// it may have been planted. Reads resolve a whole path in one <c>openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)</c>
/// where the kernel has it (Linux 5.6), otherwise one <c>openat(O_NOFOLLOW | O_DIRECTORY)</c> per directory;
/// files open with <c>O_NONBLOCK</c>, so a FIFO never blocks the open. Writes always go one directory at a
/// time (<see cref="CreateDirectories"/>), creating what is missing with <c>mkdirat</c>.
/// <para>
/// Covered: a symlink (to a file, a directory, <c>/</c>) at any level, planted before the call or swapped in
/// between two steps of it. Each step acts on a descriptor of a directory that was a real directory when it was
/// opened, so renaming a component and putting a symlink in its place afterwards changes nothing for this
/// call. Not covered: a group member who moves a directory of the tree, while a write is in it, to a place
/// outside the tree that they can write; the write then lands there, as a 0644 file named
/// <c>signature-N</c> in a directory they control already. Moving a directory needs write access to it and to
/// both parents, so this reaches nothing they could not write themselves.
/// </para>
/// </summary>
public sealed partial class DirectoryHandle : IDisposable
{
    private static volatile bool s_noOpenat2;

    private readonly SafeFileHandle _handle;
    private readonly bool _resolveInOneCall;

    private DirectoryHandle(SafeFileHandle handle, bool resolveInOneCall)
    {
        _handle = handle;
        _resolveInOneCall = resolveInOneCall;
    }

    /// <summary>The descriptor itself, for calls that act on it (<c>fchown</c> through an ownership seam).</summary>
    public SafeFileHandle Handle => _handle;

    /// <summary>
    /// The tree's root directory (its path may contain symlinks: it is configuration, not content); null when it
    /// does not exist. <paramref name="resolveInOneCall"/> false forces the per-directory walk <c>openat2</c> replaces.
    /// </summary>
    public static DirectoryHandle? OpenRootOrNull(string path, bool resolveInOneCall = true)
    {
        var fd = Libc.OpenAt(Libc.AtFdCwd, path, Libc.OPath | Libc.ODirectory | Libc.OCloExec, 0);
        return fd >= 0 ? new DirectoryHandle(new SafeFileHandle(fd, ownsHandle: true), resolveInOneCall) : AbsentOrThrow<DirectoryHandle>(path);
    }

    /// <summary>
    /// What the trusted path <paramref name="path"/> (a root, as for <see cref="OpenRootOrNull"/>) names, following
    /// symlinks as that open does; null when it cannot be looked at (missing, or a failure an open would report).
    /// </summary>
    public static EntryStatus? PathStatusOrNull(string path) => Libc.StatX(path, 0);

    /// <summary>What <paramref name="file"/> is, by its descriptor.</summary>
    public static EntryStatus Status(SafeFileHandle file) =>
        Libc.StatX(file, string.Empty, Libc.AtEmptyPath) ?? throw Libc.Error(Marshal.GetLastPInvokeError(), "statx");

    /// <summary>
    /// <c>pread(2)</c> of <paramref name="file"/> at <paramref name="offset"/>: what <see cref="RandomAccess.Read(SafeFileHandle, Span{byte}, long)"/>
    /// does, without the <c>lseek</c> it makes on every new handle to learn whether it may seek (a signature GET opens
    /// one file and reads it once, so that probe was a syscall per request). Returns the bytes read, 0 at the end.
    /// </summary>
    public static unsafe int ReadAt(SafeFileHandle file, Span<byte> buffer, long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        fixed (byte* pointer = buffer)
        {
            while (true)
            {
                var read = Libc.PRead(file, pointer, (nuint)buffer.Length, offset);
                if (read >= 0)
                {
                    return (int)read;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno != Libc.EIntr)
                {
                    throw Libc.Error(errno, "pread");
                }
            }
        }
    }

    /// <summary>What this directory itself is (owner and mode decide whether its entries can be trusted).</summary>
    public EntryStatus Status() => Status(_handle);

    /// <summary>
    /// Opens <paramref name="path"/> (relative, <c>/</c>-separated names without <c>.</c> or <c>..</c>, as the
    /// caller has checked) for reading without blocking and without following a symlink; null when it is missing,
    /// unreachable or leads through a symlink. The caller checks what it opened (<see cref="Status(SafeFileHandle)"/>).
    /// </summary>
    public SafeFileHandle? OpenReadOrNull(string path) =>
        OpenBeneathOrNull(path, Libc.ORdOnly | Libc.ONonBlock | Libc.ONoCtty | Libc.OCloExec);

    /// <summary>
    /// Opens the entry <paramref name="name"/> of this directory for reading, without blocking (a FIFO) and never
    /// through a symlink; null when it is missing or a symlink. Unlike <see cref="OpenReadOrNull"/> a file this
    /// process may not read throws (<see cref="UnauthorizedAccessException"/>, as .NET words it).
    /// </summary>
    public SafeFileHandle? OpenFileOrNull(string name)
    {
        CheckName(name);
        var fd = Libc.OpenAt(_handle, name, Libc.ORdOnly | Libc.ONonBlock | Libc.ONoCtty | Libc.ONoFollow | Libc.OCloExec, 0);
        if (fd >= 0)
        {
            return new SafeFileHandle(fd, ownsHandle: true);
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno switch
        {
            Libc.ENoEnt or Libc.ELoop => null,
            Libc.EAccess or Libc.EPerm => throw new UnauthorizedAccessException($"Access to the path '{PathOf(_handle).TrimEnd('/')}/{name}' is denied."),
            _ => throw Libc.Error(errno, name),
        };
    }

    /// <summary>True when <paramref name="path"/> is a directory reached through directories only.</summary>
    public bool IsDirectory(string path)
    {
        using var handle = OpenBeneathOrNull(path, Libc.OPath | Libc.ODirectory | Libc.OCloExec);
        return handle is not null;
    }

    /// <summary>The directory <paramref name="path"/> (<c>""</c>: this one again), or null as for <see cref="OpenReadOrNull"/>.</summary>
    public DirectoryHandle? OpenDirectoryOrNull(string path)
    {
        var handle = OpenBeneathOrNull(path.Length == 0 ? "." : path, Libc.ORdOnly | Libc.ODirectory | Libc.OCloExec);
        return handle is null ? null : new DirectoryHandle(handle, _resolveInOneCall);
    }

    /// <summary>
    /// The directory <paramref name="path"/>, creating each missing component (mode <paramref name="newMode"/> set
    /// explicitly when given, else 0777 less the umask). MUST throw <see cref="UnsafePathException"/> when a
    /// component is a symlink or not a directory.
    /// </summary>
    public DirectoryHandle CreateDirectories(string path, UnixFileMode? newMode)
    {
        var current = _handle;
        try
        {
            var walked = 0;
            foreach (var name in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                walked += name.Length + 1;
                var next = OpenOrCreateDirectory(current, name, newMode, path[..(walked - 1)], out _);
                if (current != _handle)
                {
                    current.Dispose();
                }

                current = next;
            }

            // "" names this directory; a second handle keeps ownership simple.
            return new DirectoryHandle(current == _handle ? Reopen(_handle) : current, _resolveInOneCall);
        }
        catch
        {
            if (current != _handle)
            {
                current.Dispose();
            }

            throw;
        }
    }

    /// <summary>The entry <paramref name="name"/> of this directory itself (a symlink is not followed); null when absent.</summary>
    public EntryStatus? StatusOrNull(string name)
    {
        if (Libc.StatX(_handle, name, Libc.AtSymlinkNoFollow) is { } status)
        {
            return status;
        }

        var errno = Marshal.GetLastPInvokeError();
        return IsAbsent(errno) ? null : throw Libc.Error(errno, name);
    }

    /// <summary>Every name in this directory but <c>.</c> and <c>..</c>, with what it is; a name gone meanwhile is skipped.</summary>
    public IReadOnlyList<(string Name, EntryStatus Status)> Entries()
    {
        var fd = Libc.OpenAt(_handle, ".", Libc.ORdOnly | Libc.ODirectory | Libc.OCloExec, 0);
        if (fd < 0)
        {
            throw Libc.Error(Marshal.GetLastPInvokeError(), "open directory");
        }

        var stream = Libc.FdOpenDir(fd);
        if (stream == 0)
        {
            using var orphan = new SafeFileHandle(fd, ownsHandle: true);
            throw Libc.Error(Marshal.GetLastPInvokeError(), "fdopendir");
        }

        var entries = new List<(string, EntryStatus)>();
        try
        {
            nint entry;
            while ((entry = Libc.ReadDir64(stream)) != 0)
            {
                if (Libc.DirentName(entry) is { } name && name is not ("." or "..") && StatusOrNull(name) is { } status)
                {
                    entries.Add((name, status));
                }
            }

            var errno = Marshal.GetLastPInvokeError();
            return errno == 0 ? entries : throw Libc.Error(errno, "readdir");
        }
        finally
        {
            _ = Libc.CloseDir(stream);
        }
    }

    /// <summary>Creates the file <paramref name="name"/> for writing, with exactly <paramref name="mode"/>; MUST fail when any entry has that name.</summary>
    public SafeFileHandle CreateNewFile(string name, UnixFileMode mode)
    {
        var fd = Libc.OpenAt(_handle, name, Libc.OWrOnly | Libc.OCreat | Libc.OExcl | Libc.ONoFollow | Libc.OCloExec, (uint)mode);
        if (fd < 0)
        {
            throw Libc.Error(Marshal.GetLastPInvokeError(), $"create {name}");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            // Explicit: the umask must not decide who may read a signature.
            SetMode(handle, mode);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary><c>linkat(2)</c>: gives the file a second name, atomically; false when the name is taken (by anything, a symlink too).</summary>
    public bool TryLink(string existing, string name)
    {
        if (Libc.LinkAt(_handle, existing, _handle, name, 0) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == Libc.EExist ? false : throw Libc.Error(errno, $"link {name}");
    }

    /// <summary><c>renameat(2)</c>: replaces the entry <paramref name="name"/> itself (a symlink there is replaced, not followed).</summary>
    public void Rename(string from, string name)
    {
        if (Libc.RenameAt(_handle, from, _handle, name) != 0)
        {
            throw Libc.Error(Marshal.GetLastPInvokeError(), $"rename to {name}");
        }
    }

    /// <summary>Removes the entry <paramref name="name"/> itself; a missing one is not an error.</summary>
    public void Delete(string name)
    {
        if (Libc.UnlinkAt(_handle, name, 0) != 0 && Marshal.GetLastPInvokeError() is var errno && errno != Libc.ENoEnt)
        {
            throw Libc.Error(errno, $"delete {name}");
        }
    }

    public void Dispose() => _handle.Dispose();

    // One name of this directory: a path would walk, and "." or ".." would leave the entry this call is about.
    private static void CheckName(string name)
    {
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
        {
            throw new ArgumentException($"not a single name: '{name}'", nameof(name));
        }
    }

    private SafeFileHandle? OpenBeneathOrNull(string path, int flags)
    {
        if (_resolveInOneCall && !s_noOpenat2)
        {
            var fd = Libc.OpenAt2(_handle, path, flags | Libc.ONoFollow, Libc.ResolveBeneath | Libc.ResolveNoSymlinks | Libc.ResolveNoMagicLinks);
            if (fd >= 0)
            {
                return new SafeFileHandle(fd, ownsHandle: true);
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno is Libc.ENoSys or Libc.EPerm or Libc.EInval)
            {
                // An older kernel, or a seccomp filter that refuses the call: walk from now on.
                s_noOpenat2 = true;
            }
            else if (errno != Libc.EAgain)
            {
                return AbsentOrThrow<SafeFileHandle>(path, errno);
            }
        }

        return WalkOrNull(path, flags);
    }

    private SafeFileHandle? WalkOrNull(string path, int flags)
    {
        var current = _handle;
        try
        {
            var rest = path.AsSpan();
            int slash;
            while ((slash = rest.IndexOf('/')) >= 0)
            {
                var fd = Libc.OpenAt(current, rest[..slash].ToString(), Libc.OPath | Libc.ODirectory | Libc.ONoFollow | Libc.OCloExec, 0);
                if (fd < 0)
                {
                    return AbsentOrThrow<SafeFileHandle>(path);
                }

                if (current != _handle)
                {
                    current.Dispose();
                }

                current = new SafeFileHandle(fd, ownsHandle: true);
                rest = rest[(slash + 1)..];
            }

            var file = Libc.OpenAt(current, rest.ToString(), flags | Libc.ONoFollow, 0);
            return file >= 0 ? new SafeFileHandle(file, ownsHandle: true) : AbsentOrThrow<SafeFileHandle>(path);
        }
        finally
        {
            if (current != _handle)
            {
                current.Dispose();
            }
        }
    }

    private static SafeFileHandle OpenOrCreateDirectory(SafeFileHandle parent, string name, UnixFileMode? newMode, string shown, out bool created)
    {
        const int flags = Libc.ORdOnly | Libc.OCloExec;
        var fd = Libc.OpenAt(parent, name, flags | Libc.ODirectory | Libc.ONoFollow, 0);
        created = false;
        if (fd < 0 && Marshal.GetLastPInvokeError() == Libc.ENoEnt)
        {
            if (Libc.MkdirAt(parent, name, 0x1FF) == 0)
            {
                created = true;
            }
            else if (Marshal.GetLastPInvokeError() is var mkdirError && mkdirError != Libc.EExist)
            {
                throw Libc.Error(mkdirError, $"create directory {shown}");
            }

            // Opened by name again: whatever is there now is checked like anything else.
            fd = Libc.OpenAt(parent, name, flags | Libc.ODirectory | Libc.ONoFollow, 0);
        }

        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno is Libc.ELoop or Libc.ENotDir
                ? new UnsafePathException($"{shown} is a symlink or not a directory; nothing is written through it")
                : Libc.Error(errno, shown);
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (created && newMode is { } mode)
        {
            try
            {
                // Explicit: the process umask would otherwise strip group write and setgid. Through the
                // descriptor, so a symlink swapped in after mkdirat is never chmod-ed.
                SetMode(handle, mode);
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }

        return handle;
    }

    private static SafeFileHandle Reopen(SafeFileHandle directory)
    {
        var fd = Libc.OpenAt(directory, ".", Libc.OPath | Libc.ODirectory | Libc.OCloExec, 0);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw Libc.Error(Marshal.GetLastPInvokeError(), "reopen directory");
    }

    private static T? AbsentOrThrow<T>(string path, int? errno = null)
        where T : class
    {
        var error = errno ?? Marshal.GetLastPInvokeError();
        return IsAbsent(error) ? null : throw Libc.Error(error, path);
    }

    // Missing, a symlink (ELOOP), a socket (ENXIO), outside (EXDEV) or not ours to read (EACCES when the
    // server runs unprivileged): all are "not in the tree", which the :81 server answers with 404.
    private static bool IsAbsent(int errno) =>
        errno is Libc.ENoEnt or Libc.ENotDir or Libc.ELoop or Libc.EXDev or Libc.EAccess or Libc.ENxIo or Libc.ENoDev or Libc.ENameTooLong;
}
