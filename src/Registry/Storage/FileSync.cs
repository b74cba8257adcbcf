using U7s.Native;

namespace U7s.Registry.Storage;

/// <summary>
/// The registry's atomic writes: a temp file, fsynced, renamed into place, and the directory flushed
/// (<see cref="Durability"/>, the one native binding, does the flushing .NET cannot).
/// </summary>
internal static class FileSync
{
    /// <summary>
    /// Writes <paramref name="content"/> to a temp file in <paramref name="tempDirectory"/> (same filesystem),
    /// fsyncs it and renames it over <paramref name="path"/>. Temp files all go to that one directory, where
    /// the upload janitor removes what a crash left behind.
    /// </summary>
    public static async Task WriteAtomicAsync(string path, ReadOnlyMemory<byte> content, string tempDirectory, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        Directory.CreateDirectory(tempDirectory);
        var temp = Path.Combine(tempDirectory, $"{TempPrefix}{Guid.NewGuid():N}");
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

    /// <summary>How temp files of <see cref="WriteAtomicAsync"/> start; the '.' keeps them out of every listing.</summary>
    public const string TempPrefix = ".put-";

    /// <summary>How earlier versions named temp files, beside their targets under <c>repositories/</c>.</summary>
    public const string LegacyTempPrefix = ".tmp-";

    /// <summary>Flushes a directory's entries (after a create, rename or delete) to disk. Best effort on non-Linux.</summary>
    public static void FsyncDirectory(string directory) => Durability.FsyncDirectory(directory);

    /// <summary>
    /// Asks the kernel to start writing <paramref name="count"/> bytes from <paramref name="offset"/> to disk
    /// now, without waiting (<c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>). An upload then reaches its
    /// commit's fsync with most of its bytes already written back, instead of all of them dirty at once.
    /// Best effort: an optimisation, never needed for correctness.
    /// </summary>
    public static void StartWriteback(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long offset, long count) =>
        Durability.StartWriteback(handle, offset, count);
}
