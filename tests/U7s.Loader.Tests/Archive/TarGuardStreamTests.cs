using System.Formats.Tar;
using System.Globalization;
using System.Text;
using U7s.Loader.Archive;
using U7s.Loader.Loading;
using U7s.Testing;

namespace U7s.Loader.Tests.Archive;

/// <summary>
/// The guard under a real <see cref="TarReader"/>: oversized metadata entries are refused at their
/// header, before the reader reads (and allocates) their data; normal GNU and PAX archives pass
/// untouched; the guard follows PAX size records so it never loses the header positions.
/// </summary>
public sealed class TarGuardStreamTests
{
    private static readonly byte[] EndOfArchive = new byte[1024];

    [Theory]
    [InlineData((byte)'L', "GNU long name")]
    [InlineData((byte)'K', "GNU long link name")]
    [InlineData((byte)'x', "PAX extended header")]
    [InlineData((byte)'g', "PAX global header")]
    public async Task MetadataEntryOverLimit_RefusedAtItsHeaderBeforeItsDataIsRead(byte type, string described)
    {
        // Claims a gibibyte; only one mebibyte follows, which must never be read.
        var source = new MemoryStream([.. TarBombs.Header("amd64/", (byte)'5', 0), .. TarBombs.Header("meta", type, TarBombs.OneGiB, gnu: type is (byte)'L' or (byte)'K'), .. new byte[1 << 20]]);

        var e = await Assert.ThrowsAsync<LoadException>(() => ReadAllAsync(source, long.MaxValue));

        Assert.Equal(LoadErrorKind.UnsafeArchive, e.Kind);
        Assert.Equal($"refusing a tar {described} of 1.0 GiB (at most 64.0 KiB of tar metadata per entry)", e.Message);
        Assert.True(source.Position <= 1024, $"read {source.Position} bytes");
    }

    [Fact]
    public async Task LongNameWithBase256Size_Refused()
    {
        var header = TarBombs.Header("meta", (byte)'L', 0, gnu: true);
        header.AsSpan(124, 12).Clear();
        header[124] = 0x80;
        header[131] = 0x40; // 0x40 << 32 bytes: 256 GiB
        FixChecksum(header);

        var e = await Assert.ThrowsAsync<LoadException>(() => ReadAllAsync(new MemoryStream([.. header, .. EndOfArchive]), long.MaxValue));

        Assert.Contains("GNU long name of 256.0 GiB", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TarEntryFormat.Gnu)]
    [InlineData(TarEntryFormat.Pax)]
    public async Task LongNamesUnderLimit_ReadAsWithoutTheGuard(TarEntryFormat format)
    {
        var longName = "amd64/" + string.Join('/', Enumerable.Repeat("a-rather-long-directory-name", 20)) + "/file";
        var archive = new MemoryStream();
        await using (var writer = new TarWriter(archive, format, leaveOpen: true))
        {
            foreach (var (name, size) in new[] { (longName, 1000), ("amd64/short", 10), (longName + "2", 0) })
            {
                TarEntry entry = format == TarEntryFormat.Gnu ? new GnuTarEntry(TarEntryType.RegularFile, name) : new PaxTarEntry(TarEntryType.RegularFile, name);
                entry.DataStream = new MemoryStream(Encoding.ASCII.GetBytes(new string('d', size)));
                await writer.WriteEntryAsync(entry);
            }
        }

        archive.Position = 0;
        var entries = await ReadAllAsync(archive, long.MaxValue);

        Assert.Equal([(longName, 1000L), ("amd64/short", 10L), (longName + "2", 0L)], entries);
    }

    [Fact]
    public async Task PaxSizeRecord_DecidesWhereTheNextHeaderIs()
    {
        // The ustar size says 0 and the PAX record 1000: the guard must skip 1000 bytes (rounded to
        // 1024) to find the next header, or it would miss the bomb behind them.
        var pax = Pax(("size", "1000"));
        var source = new MemoryStream([
            .. TarBombs.Header("PaxHeaders/f", (byte)'x', pax.Length), .. pax, .. TarBombs.Padding(pax.Length),
            .. TarBombs.Header("amd64/f", (byte)'0', 0), .. Enumerable.Repeat((byte)'b', 1000), .. TarBombs.Padding(1000),
            .. TarBombs.Header("meta", (byte)'L', 1 << 20, gnu: true), .. new byte[1 << 20], .. EndOfArchive,
        ]);
        var seen = new List<(string, long)>();

        var e = await Assert.ThrowsAsync<LoadException>(() => ReadAllAsync(source, long.MaxValue, seen));

        Assert.Equal([("amd64/f", 1000L)], seen);
        Assert.Contains("GNU long name of 1.0 MiB", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("11 size=1x\n", "PAX size record '1x'")]
    [InlineData("99 path=a\n", "malformed PAX extended header")]
    [InlineData("10 size=1\n11 size=22\n", "two size records")]
    public async Task PaxHeaderTheGuardCannotFollow_Refused(string records, string message)
    {
        var pax = Encoding.ASCII.GetBytes(records);
        var source = new MemoryStream([.. TarBombs.Header("PaxHeaders/f", (byte)'x', pax.Length), .. pax, .. TarBombs.Padding(pax.Length), .. TarBombs.Header("amd64/f", (byte)'0', 0), .. EndOfArchive]);

        var e = await Assert.ThrowsAsync<LoadException>(() => ReadAllAsync(source, long.MaxValue));

        Assert.StartsWith("cannot read the archive as tar: it holds a", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PaxHeaderFollowedByLongName_Refused()
    {
        var pax = Pax(("path", "amd64/f"));
        var source = new MemoryStream([
            .. TarBombs.Header("PaxHeaders/f", (byte)'x', pax.Length), .. pax, .. TarBombs.Padding(pax.Length),
            .. TarBombs.Header("meta", (byte)'L', 8, gnu: true), .. new byte[512], .. TarBombs.Header("amd64/f", (byte)'0', 0), .. EndOfArchive,
        ]);

        var e = await Assert.ThrowsAsync<LoadException>(() => ReadAllAsync(source, long.MaxValue));

        Assert.Contains("a GNU long name directly after a PAX extended header", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpansionLimit_CountsMetadataAndPaddingNotOnlyEntrySizes()
    {
        // Three 40 KiB PAX headers for three empty files: entry sizes add up to nothing, bytes to 120 KiB.
        var parts = new List<byte>();
        for (var i = 0; i < 3; i++)
        {
            var pax = Pax(("comment", new string('c', 40 * 1024)));
            parts.AddRange([.. TarBombs.Header($"PaxHeaders/{i}", (byte)'x', pax.Length), .. pax, .. TarBombs.Padding(pax.Length), .. TarBombs.Header($"amd64/{i}", (byte)'0', 0)]);
        }

        var e = await Assert.ThrowsAsync<LoadException>(() => ReadAllAsync(new MemoryStream([.. parts, .. EndOfArchive]), 100 * 1024));

        Assert.StartsWith("the archive expands to more than the limit of 100.0 KiB;", e.Message, StringComparison.Ordinal);
    }

    private static async Task<List<(string Name, long Length)>> ReadAllAsync(Stream source, long limit, List<(string, long)>? seen = null)
    {
        seen ??= [];
        await using var guard = new TarGuardStream(source, limit);
        await using var reader = new TarReader(guard);
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            seen.Add((entry.Name, entry.Length));
        }

        return seen;
    }

    private static byte[] Pax(params (string Key, string Value)[] records)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in records)
        {
            var body = $" {key}={value}\n";
            var length = body.Length + 1;
            while ((length.ToString(CultureInfo.InvariantCulture) + body).Length != length)
            {
                length++;
            }

            text.Append(length.ToString(CultureInfo.InvariantCulture)).Append(body);
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static void FixChecksum(byte[] header)
    {
        header.AsSpan(148, 8).Fill((byte)' ');
        var sum = header.Sum(b => (int)b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);
    }
}
