using System.IO.Compression;
using Org.BouncyCastle.Utilities.Bzip2;

namespace U7s.Sigstore.Tests.OpenPgp;

/// <summary>
/// Test-only OpenPGP packet surgery (INTEROP §9): split a message into packets (old and new
/// headers, indeterminate old-format length), inflate a compressed packet, and re-emit packets
/// with old- or new-format headers, to build the shapes clients must accept.
/// </summary>
internal static class PacketRewriter
{
    public static List<(int Tag, byte[] Body)> Parse(byte[] data)
    {
        var packets = new List<(int, byte[])>();
        var at = 0;
        while (at < data.Length)
        {
            var ctb = data[at++];
            int tag;
            int length;
            if ((ctb & 0x40) != 0)
            {
                tag = ctb & 0x3F;
                var first = data[at++];
                if (first < 192)
                {
                    length = first;
                }
                else if (first < 224)
                {
                    length = ((first - 192) << 8) + data[at++] + 192;
                }
                else if (first == 255)
                {
                    length = (data[at] << 24) | (data[at + 1] << 16) | (data[at + 2] << 8) | data[at + 3];
                    at += 4;
                }
                else
                {
                    throw new NotSupportedException("partial body lengths are not needed by these tests");
                }
            }
            else
            {
                tag = (ctb >> 2) & 0x0F;
                switch (ctb & 3)
                {
                    case 0: length = data[at++]; break;
                    case 1: length = (data[at] << 8) | data[at + 1]; at += 2; break;
                    case 2: length = (data[at] << 24) | (data[at + 1] << 16) | (data[at + 2] << 8) | data[at + 3]; at += 4; break;
                    default: length = data.Length - at; break;
                }
            }

            packets.Add((tag, data[at..(at + length)]));
            at += length;
        }

        return packets;
    }

    /// <summary>The packets of a message with one compressed packet replaced by its contents.</summary>
    public static List<(int Tag, byte[] Body)> Decompress(byte[] message)
    {
        var result = new List<(int, byte[])>();
        foreach (var (tag, body) in Parse(message))
        {
            if (tag != 8)
            {
                result.Add((tag, body));
                continue;
            }

            using var input = new MemoryStream(body, 1, body.Length - 1);
            using Stream inflater = body[0] switch
            {
                1 => new DeflateStream(input, CompressionMode.Decompress),
                2 => new ZLibStream(input, CompressionMode.Decompress),
                _ => throw new NotSupportedException($"compression algorithm {body[0]}"),
            };
            using var output = new MemoryStream();
            inflater.CopyTo(output);
            result.AddRange(Parse(output.ToArray()));
        }

        return result;
    }

    public static byte[] Emit(IEnumerable<(int Tag, byte[] Body)> packets, bool newFormat)
    {
        using var output = new MemoryStream();
        foreach (var (tag, body) in packets)
        {
            if (newFormat)
            {
                output.WriteByte((byte)(0xC0 | tag));
                output.WriteByte(0xFF);
            }
            else
            {
                output.WriteByte((byte)(0x80 | (tag << 2) | 2));
            }

            output.Write([(byte)(body.Length >> 24), (byte)(body.Length >> 16), (byte)(body.Length >> 8), (byte)body.Length]);
            output.Write(body);
        }

        return output.ToArray();
    }

    /// <summary>
    /// A compressed packet as gpg writes it (old format, indeterminate length: 0xA3) holding what
    /// <paramref name="write"/> writes, compressed with <paramref name="algorithm"/> (1 ZIP, 2 ZLIB, 3 BZip2).
    /// </summary>
    public static byte[] Compress(int algorithm, Action<Stream> write)
    {
        using var output = new MemoryStream();
        output.WriteByte(0xA3);
        output.WriteByte((byte)algorithm);
        using (Stream compressor = algorithm switch
        {
            1 => new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true),
            2 => new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true),
            3 => new CBZip2OutputStreamLeaveOpen(output),
            _ => throw new NotSupportedException($"compression algorithm {algorithm}"),
        })
        {
            write(compressor);
        }

        return output.ToArray();
    }

    /// <summary>An old-format header with a four-octet length, for packets whose body is streamed after it.</summary>
    public static void WriteHeader(Stream output, int tag, long length)
    {
        output.WriteByte((byte)(0x80 | (tag << 2) | 2));
        output.Write([(byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length]);
    }
}
