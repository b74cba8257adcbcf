namespace U7s.Testing;

/// <summary>A fresh directory under the system temp folder, removed on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "u7s-test")
    {
        Path = Directory.CreateTempSubdirectory(prefix + "-").FullName;
    }

    public string Path { get; }

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
