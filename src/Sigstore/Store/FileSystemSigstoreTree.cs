using Microsoft.Win32.SafeHandles;

namespace U7s.Sigstore.Store;

/// <summary>
/// The served tree as a directory on disk (<see cref="SigstoreOptions.Root"/>, <c>/var/sigstore</c>), the
/// layout podsec's nginx served and <c>podman push --sign-by</c> with a <c>file://</c> staging lookaside writes:
/// <code>
/// &lt;root&gt;/
/// ├── index.html, keys/…              directories with the process umask
/// └── sigstore/…                      2775 (setgid: every imagemaker of the group adds siblings, SPEC §2.4)
///     └── .u7s-tmp-&lt;random&gt;          a write in flight (dot-hidden, never named signature-*)
/// </code>
/// Files are written to a temp file in the same directory, flushed to disk, made 0644 and then published:
/// with <c>link(2)</c> for create-if-absent (fails if the name exists; a rename would replace it), with a
/// rename for replace. Reads are one stat and one open.
/// </summary>
public sealed class FileSystemSigstoreTree : ISigstoreTree
{
    private const string SignatureTree = "sigstore";
    private const string TempPrefix = ".u7s-tmp-";

    private const UnixFileMode SharedDirectoryMode = UnixFileMode.SetGroup | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode FileMode0644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public FileSystemSigstoreTree(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The directory the tree lives in, as a full path.</summary>
    public string Root { get; }

    /// <summary>The file or directory <paramref name="path"/> names on disk.</summary>
    public string FullPath(string path) => path.Length == 0 ? Root : Path.Combine(Root, SigstoreTreePath.Check(path));

    public ValueTask<SigstoreTreeFile?> OpenFileOrNullAsync(string path, CancellationToken cancellationToken)
    {
        var full = FullPath(path);

        // One stat tells a file from a directory or nothing: this is the hot path of every node pull.
        var info = new FileInfo(full);
        if (!info.Exists)
        {
            return ValueTask.FromResult<SigstoreTreeFile?>(null);
        }

        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // Renumbered or removed between the stat and the open: gone, which readers take as the end of the list.
            return ValueTask.FromResult<SigstoreTreeFile?>(null);
        }

        try
        {
            return ValueTask.FromResult<SigstoreTreeFile?>(new FileSystemTreeFile(handle, RandomAccess.GetLength(handle), info.LastWriteTimeUtc));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public async Task<byte[]?> ReadAllOrNullAsync(string path, int maxBytes, CancellationToken cancellationToken)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(FullPath(path), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        using (handle)
        {
            var length = RandomAccess.GetLength(handle);
            if (length > maxBytes)
            {
                throw new InvalidDataException($"{FullPath(path)} is {length} bytes, more than the {maxBytes} expected");
            }

            var content = new byte[length];
            var offset = 0;
            while (offset < content.Length)
            {
                var read = await RandomAccess.ReadAsync(handle, content.AsMemory(offset), offset, cancellationToken);
                if (read == 0)
                {
                    // Shrunk while we read (someone rewrote it): what is there is what we return.
                    return content[..offset];
                }

                offset += read;
            }

            return content;
        }
    }

    public ValueTask<bool> DirectoryExistsAsync(string path, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Directory.Exists(FullPath(path)));

    public Task<IReadOnlyList<SigstoreTreeEntry>?> ListDirectoryOrNullAsync(string path, CancellationToken cancellationToken)
    {
        var directory = new DirectoryInfo(FullPath(path));
        if (!directory.Exists)
        {
            return Task.FromResult<IReadOnlyList<SigstoreTreeEntry>?>(null);
        }

        try
        {
            IReadOnlyList<SigstoreTreeEntry> entries = directory.EnumerateFileSystemInfos()
                .Select(e => new SigstoreTreeEntry(e.Name, e is DirectoryInfo, new DateTimeOffset(e.LastWriteTimeUtc), (e as FileInfo)?.Length))
                .ToList();
            return Task.FromResult<IReadOnlyList<SigstoreTreeEntry>?>(entries);
        }
        catch (DirectoryNotFoundException)
        {
            return Task.FromResult<IReadOnlyList<SigstoreTreeEntry>?>(null);
        }
    }

    public Task<bool> CreateIfAbsentAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var full = FullFilePath(path);

        // Taken already: skip writing a temp file only to lose (append races try index after index).
        if (Path.Exists(full))
        {
            return Task.FromResult(false);
        }

        var temp = WriteTemp(path, content.Span);
        try
        {
            return Task.FromResult(UnixLink.TryCreate(temp, full));
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(path, content.Span);
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            File.Delete(FullFilePath(path));
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing to delete.
        }

        return Task.CompletedTask;
    }

    /// <summary>Writes or replaces the file (temp file, then rename); returns its full path.</summary>
    internal string Write(string path, ReadOnlySpan<byte> content)
    {
        var full = FullFilePath(path);
        var temp = WriteTemp(path, content);
        try
        {
            File.Move(temp, full, overwrite: true);
            return full;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private string FullFilePath(string path) =>
        path.Length == 0 ? throw new ArgumentException("the root is a directory, not a file", nameof(path)) : FullPath(path);

    /// <summary>Creates the parents of <paramref name="path"/> and a durable 0644 temp file beside it holding <paramref name="content"/>.</summary>
    private string WriteTemp(string path, ReadOnlySpan<byte> content)
    {
        var slash = path.LastIndexOf('/');
        var directory = EnsureDirectory(slash < 0 ? string.Empty : path[..slash]);
        var temp = Path.Combine(directory, TempPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            SetMode(temp, FileMode0644);
            return temp;
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private string EnsureDirectory(string path)
    {
        Directory.CreateDirectory(Root);
        if (path.Length == 0)
        {
            return Root;
        }

        var current = Root;
        var segments = path.Split('/');
        foreach (var segment in segments)
        {
            current = Path.Combine(current, segment);
            if (!Directory.Exists(current))
            {
                Directory.CreateDirectory(current);
                if (segments[0] == SignatureTree)
                {
                    SetMode(current, SharedDirectoryMode);
                }
            }
        }

        return current;
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            // Explicit: the process umask would otherwise strip group write and setgid.
            File.SetUnixFileMode(path, mode);
        }
    }
}
