using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace U7s.Native;

/// <summary>
/// An advisory <c>flock(2)</c> on a lock file, visible to every process on the host. FileStream's own locking is
/// tied to its share mode and cannot be shared or exclusive at will, so the descriptor is held here: the lock is
/// held for as long as it stays open, and <see cref="Dispose"/> (or the process ending) releases it.
/// </summary>
public sealed class AdvisoryLock : IDisposable
{
    private readonly SafeFileHandle _file;

    private AdvisoryLock(SafeFileHandle file) => _file = file;

    /// <summary>Opens (creating, mode 0644) the lock file <paramref name="path"/>; no lock is taken yet.</summary>
    public static AdvisoryLock Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fd = Libc.OpenAt(Libc.AtFdCwd, path, Libc.ORdWr | Libc.OCreat | Libc.OCloExec, Convert.ToUInt32("644", 8));
        return fd >= 0
            ? new AdvisoryLock(new SafeFileHandle(fd, ownsHandle: true))
            : throw Libc.Error(Marshal.GetLastPInvokeError(), $"cannot open {path}");
    }

    /// <summary>Takes the lock, shared or exclusive, without waiting: false when another holder is in the way.</summary>
    public bool TryEnter(bool exclusive) =>
        Libc.Flock(_file, (exclusive ? Libc.LockExclusive : Libc.LockShared) | Libc.LockNonBlocking) == 0;

    public void Dispose() => _file.Dispose();
}
