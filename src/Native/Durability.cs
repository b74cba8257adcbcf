using Microsoft.Win32.SafeHandles;

namespace U7s.Native;

/// <summary>
/// What a crash-safe rename needs and .NET lacks: a rename is durable only once the file's data and then the
/// directory entry are on disk, and .NET cannot fsync a directory.
/// </summary>
public static class Durability
{
    /// <summary>Flushes a directory's entries (after a create, rename or delete) to disk. Best effort: a directory that cannot be opened is skipped.</summary>
    public static void FsyncDirectory(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = Libc.OpenAt(Libc.AtFdCwd, directory, Libc.ORdOnly | Libc.ODirectory | Libc.OCloExec, 0);
        if (fd < 0)
        {
            return;
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        _ = Libc.FSync(handle);
    }

    /// <summary>
    /// Asks the kernel to start writing <paramref name="count"/> bytes from <paramref name="offset"/> to disk now,
    /// without waiting (<c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>). Best effort: an optimisation, never needed
    /// for correctness.
    /// </summary>
    public static void StartWriteback(SafeFileHandle file, long offset, long count)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!OperatingSystem.IsLinux() || file.IsInvalid)
        {
            return;
        }

        _ = Libc.SyncFileRange(file, offset, count, Libc.SyncFileRangeWrite);
    }
}
