using System.Runtime.InteropServices;

namespace U7s.Registry.Storage;

/// <summary>
/// Durability helpers: a rename is only crash-safe once the file's data and then its directory entry
/// are on disk, and .NET has no API to fsync a directory.
/// </summary>
internal static partial class FileSync
{
    private const int ORdOnly = 0;
    private const int ODirectory = 0x10000;

    /// <summary>
    /// Writes <paramref name="content"/> to a temp file, fsyncs it and renames it over <paramref name="path"/>.
    /// The temp file is beside the target, or in <paramref name="tempDirectory"/> (same filesystem), where
    /// a crash's leftovers are cleaned up.
    /// </summary>
    public static async Task WriteAtomicAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken, string? tempDirectory = null)
    {
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temp = tempDirectory is null ? TempPathFor(path) : Path.Combine(tempDirectory, $".put-{Guid.NewGuid():N}");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
            {
                await stream.WriteAsync(content, cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
            FsyncDirectory(directory);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>A temp name in the same directory; it starts with '.' so no listing ever returns it.</summary>
    public static string TempPathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, $".tmp-{Path.GetFileName(path)}-{Guid.NewGuid():N}");

    /// <summary>Flushes a directory's entries (after a create, rename or delete) to disk. Best effort on non-Linux.</summary>
    public static void FsyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = Open(directory, ORdOnly | ODirectory);
        if (fd < 0)
        {
            return;
        }

        try
        {
            _ = Fsync(fd);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Asks the kernel to start writing <paramref name="count"/> bytes from <paramref name="offset"/> to disk
    /// now, without waiting (<c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>). An upload then reaches its
    /// commit's fsync with most of its bytes already written back, instead of all of them dirty at once.
    /// Best effort: an optimisation, never needed for correctness.
    /// </summary>
    public static void StartWriteback(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long offset, long count)
    {
        if (!OperatingSystem.IsLinux() || handle.IsInvalid)
        {
            return;
        }

        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            _ = SyncFileRange((int)handle.DangerousGetHandle(), offset, count, SyncFileRangeWrite);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private const uint SyncFileRangeWrite = 2;

    [LibraryImport("libc", EntryPoint = "sync_file_range")]
    private static partial int SyncFileRange(int fd, long offset, long count, uint flags);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
