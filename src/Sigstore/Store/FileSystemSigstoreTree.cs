using Microsoft.Win32.SafeHandles;
using U7s.Native;

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
/// <para>
/// Members of the group write <c>sigstore/</c> (and <c>keys/</c>) directly, and the server may run as root, so
/// nothing below the root is trusted: every read, listing and write goes through <see cref="DirectoryHandle"/>,
/// which never follows a symlink at any level and never blocks on a FIFO. Only directories and regular files
/// readable by everyone exist for this tree: anything else (a symlink, FIFO, socket, device, a 0600 file) reads
/// as absent and is left out of listings, and a write whose directory runs through a symlink throws
/// <see cref="UnsafePathException"/>.
/// </para>
/// Files are written to a temp file in the same directory, flushed to disk, made 0644 and then published:
/// with <c>linkat(2)</c> for create-if-absent (fails if the name exists; a rename would replace it), with a
/// rename for replace.
/// </summary>
public sealed class FileSystemSigstoreTree : ISigstoreTree
{
    private const string SignatureTree = "sigstore";
    private const string TempPrefix = ".u7s-tmp-";

    private const UnixFileMode SharedDirectoryMode = UnixFileMode.SetGroup | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode FileMode0644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly bool _resolveInOneCall;

    /// <summary>The root as last opened for reads, with what it was then; see <see cref="ReadRootOrNull"/>.</summary>
    private OpenedRoot? _readRoot;

    public FileSystemSigstoreTree(string root)
        : this(root, resolveInOneCall: true)
    {
    }

    /// <param name="resolveInOneCall">False makes reads walk one directory at a time even where <c>openat2</c> exists (tests cover both).</param>
    internal FileSystemSigstoreTree(string root, bool resolveInOneCall)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        _resolveInOneCall = resolveInOneCall;
    }

    /// <summary>The directory the tree lives in, as a full path.</summary>
    public string Root { get; }

    /// <summary>The file or directory <paramref name="path"/> names on disk.</summary>
    public string FullPath(string path) => path.Length == 0 ? Root : Path.Combine(Root, SigstoreTreePath.Check(path));

    public ValueTask<SigstoreTreeFile?> OpenFileOrNullAsync(string path, CancellationToken cancellationToken)
    {
        // The hot path of every node pull: root, openat2, statx.
        var handle = OpenPublicFileOrNull(path, out var status);
        return ValueTask.FromResult<SigstoreTreeFile?>(handle is null ? null : new FileSystemTreeFile(handle, status.Length, status.LastModified));
    }

    public async Task<byte[]?> ReadAllOrNullAsync(string path, int maxBytes, CancellationToken cancellationToken)
    {
        using var handle = OpenPublicFileOrNull(path, out var status);
        if (handle is null)
        {
            return null;
        }

        if (status.Length > maxBytes)
        {
            throw new InvalidDataException($"{FullPath(path)} is {status.Length} bytes, more than the {maxBytes} expected");
        }

        var content = new byte[status.Length];
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

    public ValueTask<bool> DirectoryExistsAsync(string path, CancellationToken cancellationToken)
    {
        SigstoreTreePath.Check(path);
        using var root = DirectoryHandle.OpenRootOrNull(Root, _resolveInOneCall);
        return ValueTask.FromResult(root is not null && (path.Length == 0 || root.IsDirectory(path)));
    }

    public Task<IReadOnlyList<SigstoreTreeEntry>?> ListDirectoryOrNullAsync(string path, CancellationToken cancellationToken)
    {
        SigstoreTreePath.Check(path);
        using var root = DirectoryHandle.OpenRootOrNull(Root, _resolveInOneCall);
        using var directory = root?.OpenDirectoryOrNull(path);
        if (directory is null)
        {
            return Task.FromResult<IReadOnlyList<SigstoreTreeEntry>?>(null);
        }

        // Only what a GET would serve: nginx lists a symlink with its target's size and time, which tells
        // anyone about files outside the tree.
        IReadOnlyList<SigstoreTreeEntry> entries = directory.Entries()
            .Where(e => e.Status.IsDirectory || e.Status.IsPublicFile)
            .Select(e => new SigstoreTreeEntry(e.Name, e.Status.IsDirectory, e.Status.LastModified, e.Status.IsDirectory ? null : e.Status.Length))
            .ToList();
        return Task.FromResult<IReadOnlyList<SigstoreTreeEntry>?>(entries);
    }

    public Task<bool> CreateIfAbsentAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (directoryPath, name) = Split(path);
        using var directory = OpenDirectoryForWrite(directoryPath);

        // Taken already: skip writing a temp file only to lose (append races try index after index).
        if (directory.StatusOrNull(name) is not null)
        {
            return Task.FromResult(false);
        }

        var temp = WriteTemp(directory, content.Span);
        try
        {
            return Task.FromResult(directory.TryLink(temp, name));
        }
        finally
        {
            directory.Delete(temp);
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
        var (directoryPath, name) = Split(path);
        using var root = DirectoryHandle.OpenRootOrNull(Root, _resolveInOneCall);
        using var directory = root?.OpenDirectoryOrNull(directoryPath);
        directory?.Delete(name);
        return Task.CompletedTask;
    }

    /// <summary>Writes or replaces the file (temp file, then rename); returns its full path.</summary>
    internal string Write(string path, ReadOnlySpan<byte> content)
    {
        var (directoryPath, name) = Split(path);
        using var directory = OpenDirectoryForWrite(directoryPath);
        var temp = WriteTemp(directory, content);
        try
        {
            directory.Rename(temp, name);
            return FullPath(path);
        }
        finally
        {
            directory.Delete(temp);
        }
    }

    private SafeFileHandle? OpenPublicFileOrNull(string path, out EntryStatus status)
    {
        status = default;
        if (SigstoreTreePath.Check(path).Length == 0)
        {
            return null;
        }

        var handle = ReadRootOrNull()?.OpenReadOrNull(path);
        if (handle is null)
        {
            return null;
        }

        try
        {
            status = DirectoryHandle.Status(handle);
            if (status.IsPublicFile)
            {
                return handle;
            }
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        handle.Dispose();
        return null;
    }

    /// <summary>
    /// The root directory for a read, kept open between reads: opening it by path was a third of the work of a
    /// signature GET that U7s controls (a profile put 8 % of the server's time in that open and its close). Only the
    /// root is kept, never what is below it: every read still resolves its whole path from the root with
    /// <c>openat2</c>, so a signature deleted, replaced or made a symlink is seen by the very next GET. The root
    /// itself is checked on every read with one <c>statx</c> of its path (which follows a symlink, as the open
    /// does): a root path that now names another directory (moved away and put back, restored, re-pointed) is
    /// opened anew, and a missing one reads as absent, as before. The kept descriptor pins the old directory, so
    /// its inode cannot be reused while the comparison relies on it. Null when the root does not exist.
    /// </summary>
    private DirectoryHandle? ReadRootOrNull()
    {
        if (DirectoryHandle.PathStatusOrNull(Root) is not { } now)
        {
            // Missing, or a failure the open reports the way reads always have.
            return DirectoryHandle.OpenRootOrNull(Root, _resolveInOneCall);
        }

        var kept = _readRoot;
        if (kept is not null && kept.Device == now.Device && kept.Inode == now.Inode)
        {
            return kept.Handle;
        }

        var opened = DirectoryHandle.OpenRootOrNull(Root, _resolveInOneCall);
        if (opened is null)
        {
            return null;
        }

        var status = opened.Status();

        // A root replaced under a read in flight is not disposed here: that read may still use it, and the
        // runtime closes the descriptor once nothing refers to it. Replacing a root is an admin's rare act.
        _readRoot = new OpenedRoot(opened, status.Device, status.Inode);
        return opened;
    }

    /// <summary>The root directory kept open for reads and the identity it had when opened.</summary>
    private sealed record OpenedRoot(DirectoryHandle Handle, ulong Device, ulong Inode);

    /// <summary>The parent directory of a file path and the file's name; the root is a directory, not a file.</summary>
    private static (string Directory, string Name) Split(string path)
    {
        if (SigstoreTreePath.Check(path).Length == 0)
        {
            throw new ArgumentException("the root is a directory, not a file", nameof(path));
        }

        var slash = path.LastIndexOf('/');
        return slash < 0 ? (string.Empty, path) : (path[..slash], path[(slash + 1)..]);
    }

    private DirectoryHandle OpenDirectoryForWrite(string directoryPath)
    {
        Directory.CreateDirectory(Root);
        using var root = DirectoryHandle.OpenRootOrNull(Root, _resolveInOneCall) ?? throw new DirectoryNotFoundException($"{Root} cannot be opened");
        var shared = directoryPath == SignatureTree || directoryPath.StartsWith(SignatureTree + "/", StringComparison.Ordinal);
        return root.CreateDirectories(directoryPath, shared ? SharedDirectoryMode : null);
    }

    /// <summary>A durable 0644 temp file in <paramref name="directory"/> holding <paramref name="content"/>; returns its name.</summary>
    private static string WriteTemp(DirectoryHandle directory, ReadOnlySpan<byte> content)
    {
        var temp = TempPrefix + Guid.NewGuid().ToString("N");
        try
        {
            using var file = directory.CreateNewFile(temp, FileMode0644);
            RandomAccess.Write(file, content, 0);
            RandomAccess.FlushToDisk(file);
            return temp;
        }
        catch
        {
            directory.Delete(temp);
            throw;
        }
    }
}
