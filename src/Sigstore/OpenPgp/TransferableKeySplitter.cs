namespace U7s.Sigstore.OpenPgp;

/// <summary>
/// Splits a binary keyring into its transferable keys (each starts with a public-key or secret-key
/// packet, RFC 4880 §11.1) by reading packet headers only, so one key the OpenPGP library cannot
/// read (Ed25519 in BouncyCastle 1.8.10) does not hide the other keys of the same file.
/// </summary>
internal static class TransferableKeySplitter
{
    private const int PublicKeyTag = 6;
    private const int SecretKeyTag = 5;

    /// <summary>The byte ranges of each transferable key; null when the packet framing is broken.</summary>
    public static List<byte[]>? Split(byte[] keyring)
    {
        var keys = new List<byte[]>();
        var start = -1;
        var at = 0;
        while (at < keyring.Length)
        {
            var packetStart = at;
            if (!TryReadHeader(keyring, ref at, out var tag, out var length) || length < 0 || at + length > keyring.Length)
            {
                return null;
            }

            if (tag is PublicKeyTag or SecretKeyTag)
            {
                if (start >= 0)
                {
                    keys.Add(keyring[start..packetStart]);
                }

                start = packetStart;
            }

            at += length;
        }

        if (start >= 0)
        {
            keys.Add(keyring[start..]);
        }

        return keys;
    }

    private static bool TryReadHeader(byte[] data, ref int at, out int tag, out int length)
    {
        tag = 0;
        length = 0;
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

            // Partial body lengths never occur in key material.
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

        return true;
    }
}
