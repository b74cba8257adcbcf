using System.Globalization;
using System.Text;
using U7s.Loader.Xz;

namespace U7s.Testing;

/// <summary>
/// Decompression bombs in the archive format, built small: each is a series of concatenated xz
/// streams (which the loader's decoder reads as one, SPEC §1.1), so a gibibyte of repeated bytes
/// costs 1024 copies of one compressed mebibyte, a few hundred kilobytes, and no time to make.
/// </summary>
public static class TarBombs
{
    public const long OneGiB = 1L << 30;

    private const int Chunk = 1 << 20;

    /// <summary>A GNU long-name entry ('L') whose name is <paramref name="nameBytes"/> long, in front of a regular file.</summary>
    public static Task WriteGnuLongNameAsync(string path, long nameBytes = OneGiB) =>
        WriteAsync(path, [Header("amd64/", (byte)'5', 0), Header("././@LongLink", (byte)'L', nameBytes, gnu: true)], nameBytes, (byte)'a', Header("amd64/x", (byte)'0', 0));

    /// <summary>A PAX extended header ('x') of <paramref name="recordBytes"/>: one well-formed <c>path</c> record that long.</summary>
    public static async Task WritePaxHeaderAsync(string path, long recordBytes = OneGiB)
    {
        var prefix = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{recordBytes} path="));
        await using var file = File.Create(path);
        await WriteStreamAsync(file, [.. Header("amd64/", (byte)'5', 0), .. Header("amd64/PaxHeaders/x", (byte)'x', recordBytes), .. prefix]);
        await WriteRepeatedAsync(file, recordBytes - prefix.Length - 1, (byte)'a');
        await WriteStreamAsync(file, [(byte)'\n', .. Padding(recordBytes), .. Header("amd64/x", (byte)'0', 0), .. new byte[1024]]);
    }

    /// <summary>A blob entry of <paramref name="size"/> zero bytes whose name is not its digest: the loader would spool it all before finding out.</summary>
    public static Task WriteOversizedBlobAsync(string path, long size) =>
        WriteAsync(path, [Header("amd64/", (byte)'5', 0), Header($"amd64/blobs/sha256/{new string('0', 64)}", (byte)'0', size)], size, 0, []);

    /// <summary>One 512-byte tar header block with a valid checksum; GNU magic for 'L'/'K', ustar otherwise.</summary>
    public static byte[] Header(string name, byte type, long size, bool gnu = false)
    {
        var block = new byte[512];
        Encoding.ASCII.GetBytes(name).CopyTo(block, 0);
        Octal(block, 100, 8, 0x1a4);
        Octal(block, 108, 8, 0);
        Octal(block, 116, 8, 0);
        Octal(block, 124, 12, size);
        Octal(block, 136, 12, 0);
        block[156] = type;
        (gnu ? "ustar  \0"u8 : "ustar\u000000"u8).CopyTo(block.AsSpan(257));
        block.AsSpan(148, 8).Fill((byte)' ');
        var sum = block.Sum(b => (int)b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(block, 148);
        return block;
    }

    /// <summary>Zero bytes that fill a data section of <paramref name="size"/> up to the next 512-byte block.</summary>
    public static byte[] Padding(long size) => new byte[(512 - (size % 512)) % 512];

    private static async Task WriteAsync(string path, byte[][] headers, long dataBytes, byte fill, byte[] next)
    {
        await using var file = File.Create(path);
        await WriteStreamAsync(file, [.. headers.SelectMany(h => h)]);
        await WriteRepeatedAsync(file, dataBytes, fill);
        await WriteStreamAsync(file, [.. Padding(dataBytes), .. next, .. new byte[1024]]);
    }

    private static async Task WriteRepeatedAsync(Stream file, long count, byte fill)
    {
        var whole = await CompressAsync(Enumerable.Repeat(fill, Chunk).ToArray());
        for (var left = count; left > 0; left -= Chunk)
        {
            await file.WriteAsync(left >= Chunk ? whole : await CompressAsync(Enumerable.Repeat(fill, (int)left).ToArray()));
        }
    }

    private static async Task WriteStreamAsync(Stream file, byte[] content) => await file.WriteAsync(await CompressAsync(content));

    private static async Task<byte[]> CompressAsync(byte[] content)
    {
        using var buffer = new MemoryStream();
        await using (var xz = new XzEncoderStream(buffer, new XzEncoderOptions { Preset = 6 }, leaveOpen: true))
        {
            await xz.WriteAsync(content);
            await xz.FinishAsync(CancellationToken.None);
        }

        return buffer.ToArray();
    }

    private static void Octal(byte[] block, int offset, int length, long value) =>
        Encoding.ASCII.GetBytes(Convert.ToString(value, 8).PadLeft(length - 1, '0') + "\0").CopyTo(block, offset);
}
