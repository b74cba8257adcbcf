using System.Security.Cryptography;
using System.Text;

namespace U7s.Cluster.Files;

/// <summary>
/// The one way node files are written (STYLE §3). Every path is a node path mapped under
/// <see cref="NodeRoot"/>; content is compared first (unchanged → nothing written, no new dated
/// file); new content goes to a temp file in the same directory, is flushed to disk and renamed
/// over the target, so a failure at any point leaves the previous file in place. The three files of
/// SPEC §3.6 are written as dated versions behind an atomically swapped relative symlink.
/// The file data is flushed to disk before each rename; the directory entry itself is not (.NET
/// cannot open a directory to fsync it), so after a power cut the old name may reappear, never a
/// truncated file.
/// </summary>
public sealed class NodeFileWriter(NodeRoot root, TimeProvider time)
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public NodeRoot Root { get; } = root;

    /// <summary>The content of a node file (following symlinks), or null when it does not exist.</summary>
    public string? ReadOrNull(string nodePath)
    {
        var full = Root.Resolve(nodePath);
        return File.Exists(full) ? File.ReadAllText(full, Utf8) : null;
    }

    /// <summary>Creates a directory (and missing parents, 0755) and sets its exact mode.</summary>
    public bool EnsureDirectory(string nodePath, UnixFileMode mode)
    {
        var full = Root.Resolve(nodePath);
        var existed = Directory.Exists(full);
        CreateParents(full);
        Directory.CreateDirectory(full);
        var changed = !existed || FileModes.Get(full) != mode;
        FileModes.Set(full, mode);
        return changed;
    }

    /// <summary>Writes a plain node file atomically with an exact mode, unless content and mode already match.</summary>
    public async Task<FileChange> WriteAsync(string nodePath, string content, UnixFileMode mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (DatedFileNames.IsDated(nodePath))
        {
            return await WriteDatedAsync(nodePath, content, mode, validate: null, cancellationToken);
        }

        return await WriteBytesAsync(nodePath, Utf8.GetBytes(content), mode, cancellationToken);
    }

    /// <summary>Binary form of <see cref="WriteAsync"/> (public keys may be binary keyrings).</summary>
    public async Task<FileChange> WriteBytesAsync(string nodePath, byte[] content, UnixFileMode mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var full = Root.Resolve(nodePath);
        if (new FileInfo(full).LinkTarget is not null && new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true) is { } target)
        {
            // Replace what the link points to (e.g. a distro's /etc/hosts link), never the link itself.
            full = Root.Resolve(Root.ToNodePath(target.FullName));
        }

        var existing = File.Exists(full) ? await File.ReadAllBytesAsync(full, cancellationToken) : null;
        if (existing is not null && existing.AsSpan().SequenceEqual(content) && FileModes.Get(full) == mode)
        {
            return new FileChange(nodePath, FileChangeKind.Unchanged);
        }

        var directory = Path.GetDirectoryName(full)!;
        CreateParents(full);
        var temp = await WriteTempAsync(directory, Path.GetFileName(full), content, mode, cancellationToken);
        try
        {
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        return new FileChange(nodePath, existing is null ? FileChangeKind.Created : FileChangeKind.Updated);
    }

    /// <summary>
    /// Writes one of the SPEC §3.6 files: the content goes to <c>&lt;name&gt;_&lt;stamp&gt;</c> (never
    /// overwriting an existing dated file), is read back and passed to <paramref name="validate"/>
    /// (which MUST throw on invalid content, before anything live changes), a displaced regular live
    /// file is copied to a name stamped with its own mtime, and a relative symlink created under a
    /// temp name is renamed over the live name.
    /// </summary>
    public async Task<FileChange> WriteDatedAsync(string nodePath, string content, UnixFileMode mode, Action<string>? validate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var full = Root.Resolve(nodePath);
        var existing = File.Exists(full) ? await File.ReadAllTextAsync(full, Utf8, cancellationToken) : null;
        if (existing == content)
        {
            return new FileChange(nodePath, FileChangeKind.Unchanged);
        }

        var directory = Path.GetDirectoryName(full)!;
        CreateParents(full);
        var temp = await WriteTempAsync(directory, Path.GetFileName(full), Utf8.GetBytes(content), mode, cancellationToken);
        string dated;
        try
        {
            validate?.Invoke(await File.ReadAllTextAsync(temp, Utf8, cancellationToken));
            dated = PublishUnique(temp, directory, DatedFileNames.DatedName(nodePath, time.GetLocalNow()), content);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        string? backup = null;
        var liveInfo = new FileInfo(full);
        if (liveInfo.Exists && liveInfo.LinkTarget is null)
        {
            backup = KeepDisplaced(full, directory, nodePath, existing!);
        }

        var link = Path.Join(directory, $".{Path.GetFileName(full)}.{RandomSuffix()}.link");
        File.CreateSymbolicLink(link, dated);
        try
        {
            File.Move(link, full, overwrite: true);
        }
        catch
        {
            File.Delete(link);
            throw;
        }

        return new FileChange(nodePath, existing is null ? FileChangeKind.Created : FileChangeKind.Updated, dated, backup);
    }

    private string KeepDisplaced(string full, string directory, string nodePath, string existing)
    {
        var mtimeUtc = File.GetLastWriteTimeUtc(full);
        var local = TimeZoneInfo.ConvertTime(new DateTimeOffset(mtimeUtc, TimeSpan.Zero), time.LocalTimeZone);
        var name = DatedFileNames.BackupName(nodePath, local);
        for (var n = 0; ; n++)
        {
            var candidate = n == 0 ? name : $"{name}.{n}";
            var path = Path.Join(directory, candidate);
            if (File.Exists(path))
            {
                if (File.ReadAllText(path, Utf8) == existing)
                {
                    return candidate;
                }

                continue;
            }

            File.Copy(full, path, overwrite: false);
            File.SetLastWriteTimeUtc(path, mtimeUtc);
            return candidate;
        }
    }

    // Two versions within one second get ".1", ".2"…; an identical existing version is reused.
    private static string PublishUnique(string temp, string directory, string name, string content)
    {
        for (var n = 0; ; n++)
        {
            var candidate = n == 0 ? name : $"{name}.{n}";
            var path = Path.Join(directory, candidate);
            if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
            {
                if (File.Exists(path) && new FileInfo(path).LinkTarget is null && File.ReadAllText(path, Utf8) == content)
                {
                    File.Delete(temp);
                    return candidate;
                }

                continue;
            }

            try
            {
                File.Move(temp, path, overwrite: false);
                return candidate;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Lost a race for this name: try the next one.
            }
        }
    }

    private static async Task<string> WriteTempAsync(string directory, string name, byte[] content, UnixFileMode mode, CancellationToken cancellationToken)
    {
        // Leading dot and ".tmp" suffix: never loaded as registries.d/*.yaml, never a signature-* name.
        var temp = Path.Join(directory, $".{name}.{RandomSuffix()}.tmp");
        try
        {
            // Created with the target mode (less umask), so a 0600 secret is never readable by others, not even briefly.
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, Options = FileOptions.Asynchronous };
            if (!OperatingSystem.IsWindows())
            {
                create.UnixCreateMode = mode & ~(UnixFileMode.SetUser | UnixFileMode.SetGroup | UnixFileMode.StickyBit);
            }

            await using (var stream = new FileStream(temp, create))
            {
                await stream.WriteAsync(content, cancellationToken);
                await stream.FlushAsync(cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            FileModes.Set(temp, mode);
            return temp;
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private void CreateParents(string full)
    {
        var parent = Path.GetDirectoryName(full)!;
        if (Directory.Exists(parent))
        {
            return;
        }

        // Checked before creating: a symlinked ancestor must not lead the new directories off the root.
        _ = Root.Resolve(Root.ToNodePath(parent));
        Directory.CreateDirectory(parent);
    }

    private static string RandomSuffix() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
}
