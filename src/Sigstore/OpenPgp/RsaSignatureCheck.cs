using System.Collections.Concurrent;
using System.Security.Cryptography;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace U7s.Sigstore.OpenPgp;

/// <summary>
/// Checks a v4 RSA binary-document signature with the platform's RSA (OpenSSL): BouncyCastle's
/// managed big integers spend ~0.5 ms per 2048-bit check, OpenSSL a few tens of microseconds.
/// BouncyCastle still parses the packets; only the digest and the PKCS#1 v1.5 step move here.
/// </summary>
internal static class RsaSignatureCheck
{
    /// <summary>Distinct keys kept; trusted keyrings are small, so this is a bound against churn only.</summary>
    private const int MaxCachedKeys = 64;

    /// <summary>Idle platform keys by modulus and exponent.</summary>
    private static readonly ConcurrentDictionary<string, ConcurrentBag<RSA>> Pool = new(StringComparer.Ordinal);

    /// <summary>
    /// True or false when the platform decides; null when the signature is not one it handles
    /// (not v4, not RSA, a text document, SHA-1 or SHA-224, a key OpenSSL will not load), so the
    /// caller falls back to BouncyCastle.
    /// </summary>
    public static bool? Verify(PgpSignature signature, PgpPublicKey key, ReadOnlySpan<byte> content)
    {
        if (signature.Version != 4
            || signature.SignatureType != PgpSignature.BinaryDocument
            || signature.KeyAlgorithm is not (PublicKeyAlgorithmTag.RsaGeneral or PublicKeyAlgorithmTag.RsaSign)
            || key.PublicKeyPacket.Key is not RsaPublicBcpgKey rsaKey
            || NameOf(signature.HashAlgorithm) is not { } hashName)
        {
            return null;
        }

        var value = SignatureValue(signature.GetSignature(), (rsaKey.Modulus.BitLength + 7) / 8);
        if (value is null)
        {
            // Longer than the modulus: BouncyCastle refuses such input too.
            return false;
        }

        using var hasher = IncrementalHash.CreateHash(hashName);
        hasher.AppendData(content);

        // Version, class, algorithms, hashed subpackets, then 0x04 0xFF and their length (RFC 4880 §5.2.4).
        hasher.AppendData(signature.GetSignatureTrailer());
        Span<byte> digest = stackalloc byte[64];
        var length = hasher.GetHashAndReset(digest);

        try
        {
            var rsa = Rent(rsaKey, out var id);
            try
            {
                return rsa.VerifyHash(digest[..length], value, hashName, RSASignaturePadding.Pkcs1);
            }
            finally
            {
                Return(id, rsa);
            }
        }
        catch (CryptographicException)
        {
            // A key OpenSSL will not load (odd sizes or exponents): let BouncyCastle judge it as before.
            return null;
        }
    }

    /// <summary>
    /// A platform key for <paramref name="key"/>, cached: OpenSSL 3 takes ~0.1 ms to import a public
    /// key, five times the check itself. Instances are lent to one caller at a time because the
    /// platform type does not promise that concurrent calls on one instance are safe.
    /// </summary>
    private static RSA Rent(RsaPublicBcpgKey key, out string id)
    {
        var modulus = key.Modulus.ToByteArrayUnsigned();
        var exponent = key.PublicExponent.ToByteArrayUnsigned();
        id = Convert.ToBase64String(modulus) + "." + Convert.ToBase64String(exponent);
        if (Pool.TryGetValue(id, out var idle) && idle.TryTake(out var rsa))
        {
            return rsa;
        }

        return RSA.Create(new RSAParameters { Modulus = modulus, Exponent = exponent });
    }

    private static void Return(string id, RSA rsa)
    {
        if (!Pool.ContainsKey(id) && Pool.Count >= MaxCachedKeys)
        {
            // Keyrings hold a handful of keys; this only trips on churn, and a reset is enough.
            // Dropped instances are left to their finalizers: another thread may still be using one.
            Pool.Clear();
        }

        Pool.GetOrAdd(id, _ => []).Add(rsa);
    }

    /// <summary>
    /// SHA-1 and SHA-224 stay with BouncyCastle: .NET has no SHA-224, and some OpenSSL policies
    /// refuse SHA-1 signatures that 5.23 still accepts.
    /// </summary>
    private static HashAlgorithmName? NameOf(HashAlgorithmTag tag) => tag switch
    {
        HashAlgorithmTag.Sha256 => HashAlgorithmName.SHA256,
        HashAlgorithmTag.Sha384 => HashAlgorithmName.SHA384,
        HashAlgorithmTag.Sha512 => HashAlgorithmName.SHA512,
        _ => null,
    };

    /// <summary>The MPI left-padded to the modulus length (OpenPGP drops leading zeros), or null when it is longer.</summary>
    private static byte[]? SignatureValue(byte[] mpi, int modulusLength)
    {
        var start = 0;
        while (start < mpi.Length && mpi[start] == 0)
        {
            start++;
        }

        var significant = mpi.Length - start;
        if (significant > modulusLength)
        {
            return null;
        }

        var value = new byte[modulusLength];
        mpi.AsSpan(start).CopyTo(value.AsSpan(modulusLength - significant));
        return value;
    }
}
