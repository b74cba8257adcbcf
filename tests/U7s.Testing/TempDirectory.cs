namespace U7s.Testing;

/// <summary>A fresh directory under the system temp folder, removed on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    private const string SharedMemory = "/dev/shm";

    public TempDirectory(string prefix = "u7s-test")
    {
        Path = Directory.CreateTempSubdirectory(prefix + "-").FullName;
    }

    private TempDirectory(string prefix, string parent)
    {
        Path = System.IO.Path.Combine(parent, $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>
    /// A fresh directory in RAM (the tmpfs at /dev/shm, given room there), else under the system temp folder.
    /// For tests whose subject is concurrency, not durability: the same code runs, without a disk's fsync
    /// times (milliseconds each, on a shared machine far more) dominating how much of the race fits in.
    /// </summary>
    public static TempDirectory InMemory(string prefix, long neededBytes)
    {
        try
        {
            if (Directory.Exists(SharedMemory) && new DriveInfo(SharedMemory).AvailableFreeSpace >= neededBytes)
            {
                return new TempDirectory(prefix, SharedMemory);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return new TempDirectory(prefix);
    }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Every path below with its size, mtime, mode and link target: equal snapshots mean nothing was touched.</summary>
    public string[] Snapshot() =>
        Directory.EnumerateFileSystemEntries(Path, "*", SearchOption.AllDirectories)
            .Select(p => new FileInfo(p))
            .Select(f => $"{f.FullName[Path.Length..]} {(f.Attributes.HasFlag(FileAttributes.Directory) ? "d" : f.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))} {f.LastWriteTimeUtc.Ticks} {f.UnixFileMode} {f.LinkTarget}")
            .Order(StringComparer.Ordinal)
            .ToArray();

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A tool that still holds a file open (gpg-agent socket) must not fail the test.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
