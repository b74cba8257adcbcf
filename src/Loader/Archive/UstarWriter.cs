using System.Text;

namespace U7s.Loader.Archive;

/// <summary>
/// Writes a plain ustar archive (POSIX.1-1988) with fixed owner, mode and time, so equal input gives
/// equal bytes. Entry data is copied from a forward-only stream whose length is given up front, so
/// nothing is buffered (System.Formats.Tar needs a seekable data stream for that). Sizes above the
/// 8 GiB octal limit use the GNU base-256 form.
/// </summary>
internal sealed class UstarWriter(Stream output)
{
    private const int Block = 512;
    private static readonly byte[] Zeros = new byte[Block * 2];

    /// <summary>Modification time written into every header (2023-05-23, like the install guide's archive).</summary>
    public const long FixedTime = 1684800000;

    public async Task WriteDirectoryAsync(string name, CancellationToken cancellationToken)
    {
        var header = Header(name.EndsWith('/') ? name : name + "/", 0, (byte)'5', "0000755");
        await output.WriteAsync(header, cancellationToken);
    }

    public async Task WriteFileAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        await output.WriteAsync(Header(name, content.Length, (byte)'0', "0000644"), cancellationToken);
        await output.WriteAsync(content, cancellationToken);
        await PadAsync(content.Length, cancellationToken);
    }

    /// <exception cref="IOException"><paramref name="content"/> ended before or ran past <paramref name="size"/> bytes.</exception>
    public async Task WriteFileAsync(string name, long size, Stream content, CancellationToken cancellationToken)
    {
        await output.WriteAsync(Header(name, size, (byte)'0', "0000644"), cancellationToken);
        var buffer = new byte[128 * 1024];
        long written = 0;
        while (written < size)
        {
            var n = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, size - written)), cancellationToken);
            if (n == 0)
            {
                throw new IOException($"{name}: content ended after {written} of {size} bytes");
            }

            await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
            written += n;
        }

        if (await content.ReadAsync(buffer.AsMemory(0, 1), cancellationToken) != 0)
        {
            throw new IOException($"{name}: content is longer than {size} bytes");
        }

        await PadAsync(size, cancellationToken);
    }

    /// <summary>Writes the two zero blocks that end an archive.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken) => await output.WriteAsync(Zeros, cancellationToken);

    private async Task PadAsync(long size, CancellationToken cancellationToken)
    {
        var rest = (int)(size % Block);
        if (rest != 0)
        {
            await output.WriteAsync(Zeros.AsMemory(0, Block - rest), cancellationToken);
        }
    }

    private static byte[] Header(string name, long size, byte type, string mode)
    {
        var header = new byte[Block];
        var (prefix, shortName) = Split(name);
        Put(header, 0, 100, shortName);
        Put(header, 100, 8, mode);
        Put(header, 108, 8, "0000000");
        Put(header, 116, 8, "0000000");
        if (size < 8L << 30)
        {
            Put(header, 124, 12, Convert.ToString(size, 8).PadLeft(11, '0'));
        }
        else
        {
            header[124] = 0x80;
            for (var i = 0; i < 8; i++)
            {
                header[135 - i] = (byte)(size >> (8 * i));
            }
        }

        Put(header, 136, 12, Convert.ToString(FixedTime, 8).PadLeft(11, '0'));
        header[156] = type;
        Put(header, 257, 6, "ustar");
        Put(header, 263, 2, "00");
        Put(header, 329, 8, "0000000");
        Put(header, 337, 8, "0000000");
        Put(header, 345, 155, prefix);
        for (var i = 148; i < 156; i++)
        {
            header[i] = (byte)' ';
        }

        var sum = header.Sum(b => (int)b);
        Put(header, 148, 6, Convert.ToString(sum, 8).PadLeft(6, '0'));
        header[154] = 0;
        return header;
    }

    private static (string Prefix, string Name) Split(string name)
    {
        if (Encoding.UTF8.GetByteCount(name) <= 100)
        {
            return (string.Empty, name);
        }

        var slash = name.LastIndexOf('/', name.Length - 2);
        while (slash > 0 && (slash > 155 || name.Length - slash - 1 > 100))
        {
            slash = name.LastIndexOf('/', slash - 1);
        }

        if (slash <= 0 || name.Length - slash - 1 > 100 || slash > 155)
        {
            throw new ArgumentException($"entry name too long for ustar: '{name}'", nameof(name));
        }

        return (name[..slash], name[(slash + 1)..]);
    }

    private static void Put(byte[] header, int offset, int length, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length > length)
        {
            throw new ArgumentException($"tar header field too long: '{value}'", nameof(value));
        }

        bytes.CopyTo(header, offset);
    }
}
