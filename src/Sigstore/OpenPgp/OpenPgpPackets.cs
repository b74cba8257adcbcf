using System.Buffers.Binary;

namespace U7s.Sigstore.OpenPgp;

/// <summary>
/// OpenPGP packet framing (RFC 4880 §4.2) for the few places that work on packets below the
/// library: splitting keyrings, writing the RSA fast path's message, repairing secret key packets.
/// </summary>
internal static class OpenPgpPackets
{
    /// <summary>
    /// Reads the header at <paramref name="at"/> (old or new format) and moves past it. False for a
    /// byte that is not a packet header, a truncated header, an indeterminate or a partial body length
    /// (which key material never uses).
    /// </summary>
    public static bool TryReadHeader(byte[] data, ref int at, out int tag, out int length)
    {
        tag = 0;
        length = 0;
        if (at >= data.Length)
        {
            return false;
        }

        var ctb = data[at++];
        if ((ctb & 0x80) == 0)
        {
            return false;
        }

        if ((ctb & 0x40) != 0)
        {
            tag = ctb & 0x3F;
            if (at >= data.Length)
            {
                return false;
            }

            var first = data[at++];
            if (first < 192)
            {
                length = first;
                return true;
            }

            if (first < 224 && at < data.Length)
            {
                length = ((first - 192) << 8) + data[at++] + 192;
                return true;
            }

            return first == 255 && ReadBigEndian(data, ref at, 4, out length);
        }

        tag = (ctb >> 2) & 0x0F;
        return (ctb & 3) switch
        {
            0 => ReadBigEndian(data, ref at, 1, out length),
            1 => ReadBigEndian(data, ref at, 2, out length),
            2 => ReadBigEndian(data, ref at, 4, out length),
            _ => false,
        };
    }

    /// <summary>Old-format packet header (tag in bits 2-5) with the shortest length type that fits, then the body.</summary>
    public static void Write(Stream output, int tag, ReadOnlySpan<byte> body)
    {
        var ctb = 0x80 | (tag << 2);
        if (body.Length < 0x100)
        {
            output.WriteByte((byte)ctb);
            output.WriteByte((byte)body.Length);
        }
        else if (body.Length < 0x10000)
        {
            output.WriteByte((byte)(ctb | 1));
            output.WriteByte((byte)(body.Length >> 8));
            output.WriteByte((byte)body.Length);
        }
        else
        {
            output.WriteByte((byte)(ctb | 2));
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, body.Length);
            output.Write(length);
        }

        output.Write(body);
    }

    private static bool ReadBigEndian(byte[] data, ref int at, int count, out int value)
    {
        value = 0;
        if (at + count > data.Length)
        {
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            value = (value << 8) | data[at++];
        }

        // Lengths beyond int are not framing any key or message U7s reads.
        return value >= 0;
    }
}
