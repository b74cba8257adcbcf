using System.Formats.Tar;
using System.Text.Json.Nodes;
using U7s.Loader.Xz;

namespace U7s.Loader.Tests.Support;

/// <summary>
/// Rewrites a generated archive entry by entry (drop, replace, append) to build broken archives
/// for the loader's error paths. Test archives are small, so entry data is copied in memory here.
/// </summary>
internal static class ArchiveMutator
{
    /// <summary><c>map</c> returns the entry to write (possibly new) or null to drop it; <c>append</c> entries follow all others.</summary>
    public static async Task RewriteAsync(string source, string destination, Func<TarEntry, TarEntry?> map, IEnumerable<TarEntry>? append = null)
    {
        await using var input = new XzDecoderStream(System.IO.File.OpenRead(source));
        await using var reader = new TarReader(input);
        await using (var output = System.IO.File.Create(destination))
        {
            await using var xz = new XzEncoderStream(output, new XzEncoderOptions { Preset = 0 }, leaveOpen: true);
            await using (var writer = new TarWriter(xz, TarEntryFormat.Ustar, leaveOpen: true))
            {
                while (await reader.GetNextEntryAsync(copyData: true) is { } entry)
                {
                    if (map(entry) is { } mapped)
                    {
                        await writer.WriteEntryAsync(mapped);
                    }
                }

                foreach (var extra in append ?? [])
                {
                    await writer.WriteEntryAsync(extra);
                }
            }

            await xz.FinishAsync(CancellationToken.None);
        }
    }

    public static UstarTarEntry File(string name, byte[] content) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) };

    /// <summary>Replaces the data of the entry with the given name.</summary>
    public static Func<TarEntry, TarEntry?> Replace(string name, Func<byte[], byte[]> change) => entry =>
    {
        if (entry.Name != name)
        {
            return entry;
        }

        using var data = new MemoryStream();
        entry.DataStream!.CopyTo(data);
        return File(name, change(data.ToArray()));
    };

    /// <summary>Edits index.json as a JSON tree.</summary>
    public static Func<TarEntry, TarEntry?> EditIndex(string architecture, Action<JsonObject> edit) =>
        Replace($"{architecture}/index.json", bytes =>
        {
            var node = JsonNode.Parse(bytes)!.AsObject();
            edit(node);
            return System.Text.Encoding.UTF8.GetBytes(node.ToJsonString());
        });
}
