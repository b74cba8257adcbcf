using System.Buffers.Binary;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;

namespace U7s.Sigstore.OpenPgp;

/// <summary>
/// Writes the simple-signing message (SPEC §2.2) for an RSA key with the platform's RSA (OpenSSL),
/// which signs an order of magnitude faster than BouncyCastle's big-integer code. The packets are the
/// ones BouncyCastle and gpg write: old-format one-pass signature (v3), literal data (<c>b</c>, no
/// name, signing date), and a v4 binary-document signature with the creation time hashed and the
/// issuer key ID unhashed (RFC 4880 §5.2.3, §5.4, §5.9).
/// </summary>
internal static class RsaSignedMessage
{
    private const byte RsaAlgorithm = 1;

    public static byte[] Write(ReadOnlySpan<byte> payload, RSA rsa, long keyId, SignatureHash hash, DateTimeOffset signingTime)
    {
        var (hashId, hashName) = hash == SignatureHash.Sha512 ? ((byte)10, HashAlgorithmName.SHA512) : ((byte)8, HashAlgorithmName.SHA256);
        var time = (uint)signingTime.ToUnixTimeSeconds();

        // Version, type 0x00 (binary document), RSA, hash, then the hashed subpacket area: creation time.
        var hashedPart = new byte[4 + 2 + 6];
        hashedPart[0] = 4;
        hashedPart[1] = 0x00;
        hashedPart[2] = RsaAlgorithm;
        hashedPart[3] = hashId;
        BinaryPrimitives.WriteUInt16BigEndian(hashedPart.AsSpan(4), 6);
        hashedPart[6] = 5;
        hashedPart[7] = 2;
        BinaryPrimitives.WriteUInt32BigEndian(hashedPart.AsSpan(8), time);

        var trailer = new byte[6];
        trailer[0] = 4;
        trailer[1] = 0xFF;
        BinaryPrimitives.WriteUInt32BigEndian(trailer.AsSpan(2), (uint)hashedPart.Length);

        using var hasher = IncrementalHash.CreateHash(hashName);
        hasher.AppendData(payload);
        hasher.AppendData(hashedPart);
        hasher.AppendData(trailer);
        var digest = hasher.GetHashAndReset();

        var signature = rsa.SignHash(digest, hashName, RSASignaturePadding.Pkcs1);

        using var output = new MemoryStream(payload.Length + signature.Length + 64);
        var onePass = new byte[13];
        onePass[0] = 3;
        onePass[1] = 0x00;
        onePass[2] = hashId;
        onePass[3] = RsaAlgorithm;
        BinaryPrimitives.WriteInt64BigEndian(onePass.AsSpan(4), keyId);
        onePass[12] = 1;
        OpenPgpPackets.Write(output, 4, onePass);

        var literal = new byte[6 + payload.Length];
        literal[0] = (byte)'b';
        literal[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(literal.AsSpan(2), time);
        payload.CopyTo(literal.AsSpan(6));
        OpenPgpPackets.Write(output, 11, literal);

        using var body = new MemoryStream();
        body.Write(hashedPart);
        Span<byte> unhashed = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(unhashed, 10);
        unhashed[2] = 9;
        unhashed[3] = 16;
        BinaryPrimitives.WriteInt64BigEndian(unhashed[4..], keyId);
        body.Write(unhashed);
        body.Write(digest.AsSpan(0, 2));
        WriteMpi(body, signature);
        OpenPgpPackets.Write(output, 2, body.ToArray());
        return output.ToArray();
    }

    /// <summary>An OpenPGP multiprecision integer: bit count, then the big-endian bytes without leading zeros.</summary>
    private static void WriteMpi(Stream output, byte[] value)
    {
        var start = 0;
        while (start < value.Length - 1 && value[start] == 0)
        {
            start++;
        }

        var bits = ((value.Length - start - 1) * 8) + (8 - System.Numerics.BitOperations.LeadingZeroCount((uint)value[start]) + 24);
        output.WriteByte((byte)(bits >> 8));
        output.WriteByte((byte)bits);
        output.Write(value, start, value.Length - start);
    }

    /// <summary>The platform's RSA key for <paramref name="key"/> (OpenSSL checks it on import: costly, do it once per key).</summary>
    public static RSA Import(RsaPrivateCrtKeyParameters key) => RSA.Create(ToParameters(key));

    private static RSAParameters ToParameters(RsaPrivateCrtKeyParameters key)
    {
        var modulus = key.Modulus.ToByteArrayUnsigned();
        var half = (modulus.Length + 1) / 2;
        return new RSAParameters
        {
            Modulus = modulus,
            Exponent = key.PublicExponent.ToByteArrayUnsigned(),
            D = Pad(key.Exponent.ToByteArrayUnsigned(), modulus.Length),
            P = Pad(key.P.ToByteArrayUnsigned(), half),
            Q = Pad(key.Q.ToByteArrayUnsigned(), half),
            DP = Pad(key.DP.ToByteArrayUnsigned(), half),
            DQ = Pad(key.DQ.ToByteArrayUnsigned(), half),
            InverseQ = Pad(key.QInv.ToByteArrayUnsigned(), half),
        };
    }

    private static byte[] Pad(byte[] value, int length)
    {
        if (value.Length >= length)
        {
            return value;
        }

        var padded = new byte[length];
        value.CopyTo(padded, length - value.Length);
        return padded;
    }
}
