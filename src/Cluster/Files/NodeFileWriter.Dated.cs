using U7s.Native;

namespace U7s.Cluster.Files;

/// <summary>The dated files of SPEC §3.6, on the same descriptor rules as every other node file.</summary>
public sealed partial class NodeFileWriter
{
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
        if (Plan is not null)
        {
            validate?.Invoke(content);
            return PlanFile(nodePath, Utf8.GetBytes(content), mode);
        }

        using var at = Locate(nodePath, createParents: true, followLastLink: false)!;
        var live = at.Directory.StatusOrNull(at.Name);
        var existing = ReadBytesOrNull(nodePath);
        if (existing is not null && existing.AsSpan().SequenceEqual(Utf8.GetBytes(content)))
        {
            return new FileChange(nodePath, FileChangeKind.Unchanged);
        }

        var bytes = Utf8.GetBytes(content);
        var temp = TempName(at.Name, "tmp");
        string dated;
        using (await CreateTempAsync(at.Directory, temp, bytes, mode, cancellationToken))
        {
            try
            {
                validate?.Invoke(Utf8.GetString(ReadExisting(at.Directory, temp)?.Content ?? []));
                dated = PublishUnique(at.Directory, temp, DatedFileNames.DatedName(nodePath, time.GetLocalNow()), bytes);
            }
            finally
            {
                at.Directory.Delete(temp);
            }
        }

        string? backup = null;
        if (live is { IsRegularFile: true } && existing is not null)
        {
            backup = await KeepDisplacedAsync(at.Directory, nodePath, live.Value, existing, cancellationToken);
        }

        var link = TempName(at.Name, "link");
        at.Directory.CreateSymbolicLink(link, dated);
        try
        {
            at.Directory.Rename(link, at.Name);
        }
        catch
        {
            at.Directory.Delete(link);
            throw;
        }

        at.Directory.Sync();
        return new FileChange(nodePath, existing is null ? FileChangeKind.Created : FileChangeKind.Updated, dated, backup);
    }

    // The displaced file's bytes under a name stamped with its own mtime; an identical copy already there is reused.
    private async Task<string> KeepDisplacedAsync(DirectoryHandle directory, string nodePath, EntryStatus live, byte[] existing, CancellationToken cancellationToken)
    {
        var local = TimeZoneInfo.ConvertTime(live.LastModified, time.LocalTimeZone);
        var name = DatedFileNames.BackupName(nodePath, local);
        for (var n = 0; ; n++)
        {
            var candidate = n == 0 ? name : $"{name}.{n}";
            if (directory.StatusOrNull(candidate) is not null)
            {
                if (SameRegularFile(directory, candidate, existing))
                {
                    return candidate;
                }

                continue;
            }

            var temp = TempName(candidate, "tmp");
            using var copy = await CreateTempAsync(directory, temp, existing, live.Permissions, cancellationToken);
            File.SetLastWriteTimeUtc(copy, live.LastModified.UtcDateTime);
            try
            {
                if (directory.TryLink(temp, candidate))
                {
                    return candidate;
                }
            }
            finally
            {
                directory.Delete(temp);
            }
        }
    }

    // Two versions within one second get ".1", ".2"…; an identical existing version is reused. linkat never replaces.
    private static string PublishUnique(DirectoryHandle directory, string temp, string name, byte[] content)
    {
        for (var n = 0; ; n++)
        {
            var candidate = n == 0 ? name : $"{name}.{n}";
            if (SameRegularFile(directory, candidate, content) || directory.TryLink(temp, candidate))
            {
                return candidate;
            }
        }
    }

    private static bool SameRegularFile(DirectoryHandle directory, string name, byte[] content) =>
        ReadExisting(directory, name)?.Content is { } bytes && bytes.AsSpan().SequenceEqual(content);
}
