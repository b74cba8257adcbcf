using System.Security.Cryptography;

namespace U7s.Sigstore.OpenPgp;

/// <summary>
/// Repairs unprotected secret key packets whose check value is a SHA-1 hash although the S2K usage
/// octet is 0, which announces the two-octet sum (RFC 4880 §5.5.3). Earlier U7s versions wrote
/// such keys (BouncyCastle appends whatever check it is told to); gpg imports them and then refuses
/// to sign with "Checksum error". BouncyCastle itself ignores the check of a clear key, so both
/// forms sign in U7s, and the repaired one also in gpg.
/// </summary>
internal static class ClearSecretKeyChecksum
{
    private const int SecretKeyTag = 5;
    private const int SecretSubkeyTag = 7;
    private const int Sha1Length = 20;

    /// <summary>
    /// <paramref name="encodedRing"/> with every broken check value replaced by the two-octet sum;
    /// the same array when nothing needed repair. <paramref name="publicPartLengths"/> gives, for each
    /// secret (sub)key packet in order, the length of its public key part.
    /// </summary>
    public static byte[] Repair(byte[] encodedRing, IReadOnlyList<int> publicPartLengths)
    {
        using var output = new MemoryStream(encodedRing.Length);
        var at = 0;
        var secretIndex = 0;
        var repaired = false;
        while (at < encodedRing.Length)
        {
            var packetStart = at;
            if (!OpenPgpPackets.TryReadHeader(encodedRing, ref at, out var tag, out var length) || at + length > encodedRing.Length)
            {
                return encodedRing;
            }

            var body = encodedRing.AsSpan(at, length);
            at += length;
            if (tag is SecretKeyTag or SecretSubkeyTag && secretIndex < publicPartLengths.Count
                && RepairedBody(body, publicPartLengths[secretIndex++]) is { } fixedBody)
            {
                OpenPgpPackets.Write(output, tag, fixedBody);
                repaired = true;
                continue;
            }

            output.Write(encodedRing, packetStart, at - packetStart);
        }

        return repaired ? output.ToArray() : encodedRing;
    }

    /// <summary>The packet body with a two-octet sum instead of a SHA-1 after usage 0, or null when the body is not of that shape.</summary>
    private static byte[]? RepairedBody(ReadOnlySpan<byte> body, int publicLength)
    {
        if (publicLength >= body.Length || body[publicLength] != 0)
        {
            return null;
        }

        var secret = body[(publicLength + 1)..];

        // The secret material is a run of MPIs: walk them until a SHA-1 of what precedes is all that is left.
        var at = 0;
        while (at + 2 <= secret.Length)
        {
            var bits = (secret[at] << 8) | secret[at + 1];
            at += 2 + ((bits + 7) / 8);
#pragma warning disable CA5350 // Recognising the SHA-1 check value a broken packet carries; nothing is protected by it.
            if (secret.Length - at == Sha1Length && SHA1.HashData(secret[..at]).AsSpan().SequenceEqual(secret[at..]))
#pragma warning restore CA5350
            {
                var sum = 0;
                foreach (var b in secret[..at])
                {
                    sum += b;
                }

                var fixedBody = new byte[publicLength + 1 + at + 2];
                body[..(publicLength + 1 + at)].CopyTo(fixedBody);
                fixedBody[^2] = (byte)(sum >> 8);
                fixedBody[^1] = (byte)sum;
                return fixedBody;
            }
        }

        return null;
    }
}
