using System.Formats.Tar;
using U7s.Loader.Loading;
using U7s.Loader.Xz;
using U7s.Oci;

namespace U7s.Loader.Archive;

/// <summary>
/// Reads a <c>tar.xz</c> image archive (SPEC §1.1) in one forward pass, never extracting to disk.
/// Every entry is checked before its data is touched: regular files and directories only (no
/// links, devices, fifos, sparse files), no absolute names, no <c>..</c>, and the sum of entry sizes
/// under a limit. Below the tar reader a <see cref="TarGuardStream"/> caps tar metadata entries and
/// every decompressed byte, so neither memory nor the spool grows past the limits whatever the
/// headers claim. Entries of <c>&lt;arch&gt;/</c> that belong to the OCI layout are handed to a
/// callback in tar order.
/// </summary>
internal sealed class OciArchiveReader(string architecture, long maxExpandedBytes, XzDecoderOptions? xzOptions = null)
{
    private const string BlobDirectory = "blobs/sha256/";

    /// <summary>How far the decoder may run ahead of the entries' consumers (see <see cref="ReadAheadStream"/>).</summary>
    private const long ReadAheadBytes = 8L << 20;

    /// <exception cref="LoadException">The archive is not valid xz/tar or holds an unsafe entry.</exception>
    public async Task<ArchiveReadSummary> ReadAsync(
        Stream compressed,
        Func<LayoutEntry, CancellationToken, Task> onEntry,
        CancellationToken cancellationToken)
    {
        var prefix = architecture + "/";
        var topLevel = new SortedSet<string>(StringComparer.Ordinal);
        var architectureFound = false;
        long expanded = 0;
        await using var xz = new XzDecoderStream(compressed, xzOptions, leaveOpen: true);
        await using var decoded = new ReadAheadStream(xz, ReadAheadBytes);
        await using var guard = new TarGuardStream(decoded, maxExpandedBytes);
        await using var tar = new TarReader(guard, leaveOpen: true);
        while (true)
        {
            TarEntry? entry;
            try
            {
                entry = await tar.GetNextEntryAsync(copyData: false, cancellationToken);
            }
            catch (XzException e)
            {
                throw new LoadException(LoadErrorKind.UnsafeArchive, $"cannot decode the archive: {e.Message}", e);
            }
            catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or ArgumentException)
            {
                throw new LoadException(LoadErrorKind.UnsafeArchive, $"cannot read the archive as tar: {e.Message}", e);
            }

            if (entry is null)
            {
                break;
            }

            if (entry.EntryType == TarEntryType.GlobalExtendedAttributes)
            {
                continue;
            }

            if (!EntryPath.TryNormalize(entry.Name, out var name, out var pathError))
            {
                throw Unsafe($"refusing {pathError}");
            }

            if (!IsAllowedType(entry.EntryType))
            {
                throw Unsafe($"refusing '{entry.Name}': it is a {Describe(entry.EntryType)}; only regular files and directories are allowed");
            }

            if (entry is PaxTarEntry pax && pax.ExtendedAttributes.Keys.Any(k => k.StartsWith("GNU.sparse.", StringComparison.Ordinal)))
            {
                throw Unsafe($"refusing '{entry.Name}': it is a sparse file; only regular files and directories are allowed");
            }

            // Checked on the declared size, before any byte of the entry is read or spooled.
            expanded += entry.Length;
            if (expanded > maxExpandedBytes)
            {
                throw TarGuardStream.TooLarge(maxExpandedBytes, entry.Name);
            }

            if (name.Length == 0)
            {
                continue;
            }

            topLevel.Add(name.Split('/')[0]);
            if (name == architecture || name.StartsWith(prefix, StringComparison.Ordinal))
            {
                architectureFound = true;
            }

            if (entry.EntryType == TarEntryType.Directory || !name.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var layoutEntry = Classify(name, name[prefix.Length..], entry);
            if (layoutEntry is not null)
            {
                try
                {
                    await onEntry(layoutEntry, cancellationToken);
                }
                catch (XzException e)
                {
                    throw new LoadException(LoadErrorKind.UnsafeArchive, $"cannot decode the archive: {e.Message}", e);
                }
                catch (EndOfStreamException e)
                {
                    throw new LoadException(LoadErrorKind.UnsafeArchive, $"the archive ends inside '{name}': {e.Message}", e);
                }
            }
        }

        // TarReader stops at the end-of-archive blocks; read the xz stream to its end as well so
        // liblzma checks the last block's integrity check, the index and the stream footer.
        try
        {
            var rest = new byte[64 * 1024];
            long trailing = 0;
            int n;
            while ((n = await guard.ReadAsync(rest, cancellationToken)) > 0)
            {
                trailing += n;
                if (trailing > 1 << 20)
                {
                    throw Unsafe("more than 1 MiB of data after the end of the tar archive");
                }
            }
        }
        catch (XzException e)
        {
            throw new LoadException(LoadErrorKind.UnsafeArchive, $"cannot decode the archive: {e.Message}", e);
        }

        return new ArchiveReadSummary(architectureFound, topLevel, expanded);
    }

    private static LayoutEntry? Classify(string fullName, string relative, TarEntry entry)
    {
        var data = entry.DataStream ?? Stream.Null;
        switch (relative)
        {
            case "oci-layout":
                return new LayoutEntry(LayoutEntryKind.OciLayout, fullName, entry.Length, data, null);
            case "index.json":
                return new LayoutEntry(LayoutEntryKind.Index, fullName, entry.Length, data, null);
        }

        if (relative.StartsWith(BlobDirectory, StringComparison.Ordinal))
        {
            var hex = relative[BlobDirectory.Length..];
            if (!Digest.TryParse("sha256:" + hex, out var digest))
            {
                throw new LoadException(LoadErrorKind.InvalidContent, $"unexpected blob file name '{fullName}' (expected 64 lowercase hex digits)");
            }

            return new LayoutEntry(LayoutEntryKind.Blob, fullName, entry.Length, data, digest);
        }

        // Anything else under <arch>/ (other digest algorithms, notes) is not part of the images.
        return null;
    }

    private static bool IsAllowedType(TarEntryType type) =>
        type is TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.Directory;

    private static string Describe(TarEntryType type) => type switch
    {
        TarEntryType.SymbolicLink => "symbolic link",
        TarEntryType.HardLink => "hard link",
        TarEntryType.CharacterDevice => "character device",
        TarEntryType.BlockDevice => "block device",
        TarEntryType.Fifo => "fifo",
        _ => $"{type} entry",
    };

    private static LoadException Unsafe(string message) => new(LoadErrorKind.UnsafeArchive, message);
}
