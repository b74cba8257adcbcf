namespace U7s.Sigstore.OpenPgp;

/// <summary>
/// Splits a binary keyring into its transferable keys (each starts with a public-key or secret-key
/// packet, RFC 4880 §11.1) by reading packet headers only, so one key the OpenPGP library cannot
/// read (an algorithm it does not know) does not hide the other keys of the same file.
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
            if (!OpenPgpPackets.TryReadHeader(keyring, ref at, out var tag, out var length) || at + length > keyring.Length)
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
}
