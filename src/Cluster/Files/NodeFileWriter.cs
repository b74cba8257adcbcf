using System.Security.Cryptography;
using System.Text;
using Microsoft.Win32.SafeHandles;
using U7s.Cluster.Accounts;
using U7s.Native;

namespace U7s.Cluster.Files;

/// <summary>
/// The one way node files are written (STYLE §3). Every path is a node path under <see cref="NodeRoot"/>,
/// reached by descriptor through <see cref="NodeTree"/>, with the same rules on the host and in a staging tree:
/// a symlink is followed only where only root could have put it, so nothing is ever written through a link an
/// imagemaker planted in her home or in <c>/var/sigstore/keys</c>. Content is compared first (unchanged → nothing
/// written, no new dated file); new content goes to a temp file created in the target's directory
/// (<c>O_CREAT|O_EXCL|O_NOFOLLOW</c>), is flushed to disk, given its mode and owner by descriptor and renamed over
/// the name itself (a symlink, FIFO or hard link there is replaced, never opened for writing), then the directory
/// is flushed. A failure at any point leaves the previous file in place. The three files of SPEC §3.6 are written
/// as dated versions behind an atomically swapped relative symlink.
/// </summary>
public sealed partial class NodeFileWriter(NodeRoot root, TimeProvider time, IFileOwnership? ownership = null, ChangePlan? plan = null)
{
    /// <summary>Node files are configuration: a larger file is never read whole.</summary>
    private const int MaxFileBytes = 4 * 1024 * 1024;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public NodeRoot Root { get; } = root;

    /// <summary>Sets owners and the immutable flag by descriptor (the kernel calls, or a test's recording).</summary>
    public IFileOwnership Ownership { get; } = ownership ?? DescriptorOwnership.Instance;

    /// <summary>When set (<c>--dry-run</c>), nothing is written: every change is recorded here instead.</summary>
    public ChangePlan? Plan { get; } = plan;

    /// <summary>The content of a node file, or null when it does not exist.</summary>
    public string? ReadOrNull(string nodePath) => ReadBytesOrNull(nodePath) is { } bytes ? Utf8.GetString(bytes) : null;

    /// <summary>
    /// The bytes of a node file (through symlinks only where only root could have put them), or null when it does
    /// not exist. Throws <see cref="ClusterException"/> when it is something other than a regular file (a FIFO is
    /// never opened for a blocking read) or larger than node files are.
    /// </summary>
    public byte[]? ReadBytesOrNull(string nodePath)
    {
        using var at = Locate(nodePath, createParents: false);
        if (at is null || ReadExisting(at.Directory, at.Name) is not { } existing)
        {
            return null;
        }

        return existing.Content ?? throw new ClusterException(
            $"{nodePath} is {(existing.Status.IsSymbolicLink ? "a symbolic link in a directory others can write" : existing.Status.IsRegularFile ? $"larger than {MaxFileBytes} bytes" : "not a regular file")}; it is not read",
            ClusterErrorKind.Refused);
    }

    /// <summary>The names in a node directory (<c>.</c> and <c>..</c> left out), or null when it does not exist.</summary>
    public IReadOnlyList<string>? EntriesOrNull(string nodePath)
    {
        using var at = Locate(nodePath, createParents: false);
        using var directory = at is null ? null : OpenDirectoryOrNull(at);
        return directory?.Entries().Select(e => e.Name).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Creates a directory (and missing parents, 0755) and sets its exact mode; true when it was created or its mode changed.</summary>
    public bool EnsureDirectory(string nodePath, UnixFileMode mode) => EnsureDirectory(nodePath, mode, owner: null);

    /// <summary>
    /// As <see cref="EnsureDirectory(string, UnixFileMode)"/>, and a directory created or re-moded now is given
    /// <paramref name="owner"/> (by descriptor). MUST refuse a symlink at the name where it may not be followed.
    /// </summary>
    public bool EnsureDirectory(string nodePath, UnixFileMode mode, FileOwner? owner)
    {
        if (Plan is not null)
        {
            return PlanDirectory(nodePath, mode);
        }

        using var at = Locate(nodePath, createParents: true)!;
        DirectoryHandle directory;
        bool created;
        try
        {
            directory = at.Directory.OpenOrCreateDirectory(at.Name, mode, out created);
        }
        catch (UnsafePathException)
        {
            throw new ClusterException($"{nodePath} is a symbolic link or not a directory; nothing is created through it", ClusterErrorKind.Refused);
        }

        using (directory)
        {
            var changed = created || directory.Status().Permissions != mode;
            if (changed && owner is { } o)
            {
                Ownership.SetOwner(directory.Handle, o.Uid, o.Gid);
            }

            if (changed)
            {
                // After the owner: a chown may clear setgid, which shared directories (2775) need.
                DirectoryHandle.SetMode(directory.Handle, mode);
            }

            if (created)
            {
                at.Directory.Sync();
            }

            return changed;
        }
    }

    /// <summary>
    /// Sets the immutable flag of a node directory (<c>chattr +i</c>) by descriptor and returns the names it holds
    /// once the flag is set (from then on only root can add any), read from that same descriptor.
    /// </summary>
    public IReadOnlyList<string> SetImmutable(string nodePath)
    {
        if (Plan is not null)
        {
            Plan.Add($"set the immutable flag of {nodePath}");
            return EntriesOrNull(nodePath) ?? [];
        }

        using var at = Locate(nodePath, createParents: false) ?? throw new ClusterException($"{nodePath} does not exist");
        using var directory = OpenDirectoryOrNull(at) ?? throw new ClusterException($"{nodePath} does not exist");
        Ownership.SetImmutable(directory.Handle);
        return directory.Entries().Select(e => e.Name).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Gives a node directory and everything below it to <paramref name="owner"/> by descriptor (see
    /// <see cref="IFileOwnership.SetOwnerRecursive"/>); returns the node paths left alone because they have other hard links.
    /// </summary>
    public IReadOnlyList<string> SetOwnerRecursive(string nodePath, FileOwner owner)
    {
        if (Plan is not null)
        {
            Plan.Add($"give {nodePath} and everything below it to its owner");
            return [];
        }

        using var at = Locate(nodePath, createParents: false) ?? throw new ClusterException($"{nodePath} does not exist");
        using var directory = OpenDirectoryOrNull(at) ?? throw new ClusterException($"{nodePath} does not exist");
        return Ownership.SetOwnerRecursive(directory, owner.Uid, owner.Gid).Select(p => $"{nodePath.TrimEnd('/')}/{p}").ToList();
    }

    /// <summary>Removes a node file (the name itself, a symlink too); false when there was none.</summary>
    public bool Delete(string nodePath)
    {
        using var at = Locate(nodePath, createParents: false, followLastLink: false);
        if (at?.Directory.StatusOrNull(at.Name) is not { IsDirectory: false })
        {
            return false;
        }

        if (Plan is not null)
        {
            Plan.Add($"delete {nodePath}");
            return true;
        }

        at.Directory.Delete(at.Name);
        at.Directory.Sync();
        return true;
    }

    /// <summary>Writes a plain node file atomically with an exact mode, unless content and mode already match.</summary>
    public Task<FileChange> WriteAsync(string nodePath, string content, UnixFileMode mode, CancellationToken cancellationToken) =>
        WriteAsync(nodePath, content, mode, owner: null, cancellationToken);

    /// <summary>As <see cref="WriteAsync(string, string, UnixFileMode, CancellationToken)"/>; a file written now gets <paramref name="owner"/> (by descriptor).</summary>
    public async Task<FileChange> WriteAsync(string nodePath, string content, UnixFileMode mode, FileOwner? owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (DatedFileNames.IsDated(nodePath))
        {
            return await WriteDatedAsync(nodePath, content, mode, validate: null, cancellationToken);
        }

        return await WriteBytesAsync(nodePath, Utf8.GetBytes(content), mode, owner, cancellationToken);
    }

    /// <summary>Binary form of <see cref="WriteAsync(string, string, UnixFileMode, CancellationToken)"/> (public keys may be binary keyrings).</summary>
    public Task<FileChange> WriteBytesAsync(string nodePath, byte[] content, UnixFileMode mode, CancellationToken cancellationToken) =>
        WriteBytesAsync(nodePath, content, mode, owner: null, cancellationToken);

    /// <summary>
    /// Binary form with an owner. A trusted symlink at the name (a distro's <c>/etc/hosts</c> link) has what it points
    /// to replaced; any other entry there (an untrusted link, a FIFO, a hard link to someone else's file) is replaced
    /// itself by the rename and its target never touched.
    /// </summary>
    public async Task<FileChange> WriteBytesAsync(string nodePath, byte[] content, UnixFileMode mode, FileOwner? owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (Plan is not null)
        {
            return PlanFile(nodePath, content, mode);
        }

        using var at = Locate(nodePath, createParents: true)!;
        var existing = ReadExisting(at.Directory, at.Name);
        if (existing?.Content is { } old && old.AsSpan().SequenceEqual(content) && existing.Status.Permissions == mode)
        {
            return new FileChange(nodePath, FileChangeKind.Unchanged);
        }

        if (existing is { Status.IsDirectory: true })
        {
            throw new ClusterException($"{nodePath} is a directory; no file replaces it", ClusterErrorKind.Refused);
        }

        await ReplaceAsync(at, at.Name, content, mode, owner, cancellationToken);
        return new FileChange(nodePath, existing is null ? FileChangeKind.Created : FileChangeKind.Updated);
    }

    // --dry-run: the same comparison as a write (content and mode), recorded instead of written.
    private FileChange PlanFile(string nodePath, byte[] content, UnixFileMode mode)
    {
        using var at = Locate(nodePath, createParents: false);
        var existing = at is null ? null : ReadExisting(at.Directory, at.Name);
        if (existing?.Content is { } old && old.AsSpan().SequenceEqual(content) && existing.Status.Permissions == mode)
        {
            return new FileChange(nodePath, FileChangeKind.Unchanged);
        }

        if (existing is { Status.IsDirectory: true })
        {
            throw new ClusterException($"{nodePath} is a directory; no file replaces it", ClusterErrorKind.Refused);
        }

        Plan!.Add($"{(existing is null ? "create" : "change")} {nodePath} ({FileModes.ToOctal(mode)}, {content.Length} bytes)");
        return new FileChange(nodePath, existing is null ? FileChangeKind.Created : FileChangeKind.Updated);
    }

    private bool PlanDirectory(string nodePath, UnixFileMode mode)
    {
        using var at = Locate(nodePath, createParents: false);
        var status = at?.Directory.StatusOrNull(at.Name);
        if (status is { IsDirectory: true } && status.Value.Permissions == mode)
        {
            return false;
        }

        if (status is { IsDirectory: false })
        {
            throw new ClusterException($"{nodePath} is a symbolic link or not a directory; nothing is created through it", ClusterErrorKind.Refused);
        }

        Plan!.Add($"{(status is null ? "create directory" : "change the mode of")} {nodePath} ({FileModes.ToOctal(mode)})");
        return true;
    }

    private NodeLocation? Locate(string nodePath, bool createParents, bool followLastLink = true) =>
        NodeTree.LocateOrNull(Root, nodePath, createParents ? FileModes.Mode0755 : null, followLastLink);

    private static DirectoryHandle? OpenDirectoryOrNull(NodeLocation at)
    {
        if (at.Directory.StatusOrNull(at.Name) is not { } status)
        {
            return null;
        }

        return status.IsDirectory && at.Directory.OpenDirectoryOrNull(at.Name) is { } directory
            ? directory
            : throw new ClusterException($"{at.NodePath} is {(status.IsSymbolicLink ? "a symbolic link in a directory others can write" : "not a directory")}; nothing is done through it", ClusterErrorKind.Refused);
    }

    /// <summary>
    /// What is at the name now, the name itself (never through a link), and its bytes when it is a regular file of
    /// node-file size; opened without blocking, so a FIFO planted there is only looked at.
    /// </summary>
    private static Existing? ReadExisting(DirectoryHandle directory, string name)
    {
        if (directory.StatusOrNull(name) is not { } entry)
        {
            return null;
        }

        using var handle = entry.IsRegularFile ? directory.OpenFileOrNull(name) : null;
        if (handle is null)
        {
            return new Existing(entry, null);
        }

        var status = DirectoryHandle.Status(handle);
        if (!status.IsRegularFile || status.Length > MaxFileBytes)
        {
            return new Existing(status, null);
        }

        var content = new byte[status.Length];
        var read = 0;
        while (read < content.Length && RandomAccess.Read(handle, content.AsSpan(read), read) is var n and > 0)
        {
            read += n;
        }

        return new Existing(status, content[..read]);
    }

    /// <summary>Temp file in the same directory, flushed, renamed over <paramref name="name"/>, then owned and moded by descriptor.</summary>
    private async Task ReplaceAsync(NodeLocation at, string name, byte[] content, UnixFileMode mode, FileOwner? owner, CancellationToken cancellationToken)
    {
        var temp = TempName(name, "tmp");
        using var file = await CreateTempAsync(at.Directory, temp, content, mode, cancellationToken);
        try
        {
            at.Directory.Rename(temp, name);
        }
        catch
        {
            at.Directory.Delete(temp);
            throw;
        }

        SetOwner(file, mode, owner);
        at.Directory.Sync();
    }

    // After the rename, so the record a test keeps names the file; the descriptor is ours whatever the name is now.
    private void SetOwner(SafeFileHandle file, UnixFileMode mode, FileOwner? owner)
    {
        if (owner is { } o)
        {
            Ownership.SetOwner(file, o.Uid, o.Gid);
            DirectoryHandle.SetMode(file, mode);
        }
    }

    /// <summary>A new file (never an existing name, never through a link) with exactly <paramref name="mode"/>, written and flushed.</summary>
    private static async Task<SafeFileHandle> CreateTempAsync(DirectoryHandle directory, string temp, byte[] content, UnixFileMode mode, CancellationToken cancellationToken)
    {
        var file = directory.CreateNewFile(temp, mode);
        try
        {
            await RandomAccess.WriteAsync(file, content, 0, cancellationToken);
            RandomAccess.FlushToDisk(file);
            return file;
        }
        catch
        {
            file.Dispose();
            directory.Delete(temp);
            throw;
        }
    }

    // Leading dot and a suffix: never loaded as registries.d/*.yaml, never a signature-* or *.pgp name.
    private static string TempName(string name, string suffix) => $".{name}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.{suffix}";

    /// <summary>An entry found at a name: what it is, and its bytes when it is a readable regular file of node-file size.</summary>
    private sealed record Existing(EntryStatus Status, byte[]? Content);
}
