using System.Collections.Concurrent;
using System.Security.Cryptography;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Bcpg.Sig;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;

namespace U7s.Sigstore.OpenPgp;

/// <summary>
/// <see cref="IOpenPgp"/> over BouncyCastle.Cryptography 2.7.0 (RSA signing, RSA checks and RSA key
/// generation on the platform's OpenSSL). Key handling here; signing and verification in the
/// partial files beside it.
/// </summary>
public sealed partial class BouncyCastleOpenPgp : IOpenPgp
{
    /// <summary>Largest key file or keyring accepted (a keyring with many signatures stays far below).</summary>
    private const int MaxKeyBytes = 4 * 1024 * 1024;

    /// <summary>Largest keyring kept parsed, and how many are kept (see <see cref="ParsedPublicRings"/>).</summary>
    private const int MaxCachedKeyringBytes = 256 * 1024;

    private const int MaxCachedKeyrings = 32;

    private static readonly ConcurrentDictionary<string, ParsedKeyring> ParsedKeyrings = new(StringComparer.Ordinal);

    public byte[] GenerateSecretKey(KeyGenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var random = new SecureRandom();
        var created = request.CreatedAt.UtcDateTime;
        var pair = request.Key.Algorithm == KeyAlgorithm.Ed25519
            ? new PgpKeyPair(PublicKeyAlgorithmTag.EdDsa_Legacy, NewEd25519Pair(random), created)
            : new PgpKeyPair(PublicKeyAlgorithmTag.RsaGeneral, NewRsaPair(request.Key.Bits), created);

        var hashed = new PgpSignatureSubpacketGenerator();
        hashed.SetKeyFlags(false, PgpKeyFlags.CanSign | PgpKeyFlags.CanCertify);
        hashed.SetPreferredHashAlgorithms(false, [(int)HashAlgorithmTag.Sha512, (int)HashAlgorithmTag.Sha384, (int)HashAlgorithmTag.Sha256]);
        hashed.SetPreferredSymmetricAlgorithms(false, [(int)SymmetricKeyAlgorithmTag.Aes256, (int)SymmetricKeyAlgorithmTag.Aes128]);
        hashed.SetPreferredCompressionAlgorithms(false, [(int)CompressionAlgorithmTag.Zip, (int)CompressionAlgorithmTag.Uncompressed]);
        hashed.SetFeature(false, Features.FEATURE_MODIFICATION_DETECTION);
        if (request.Lifetime is { } lifetime)
        {
            hashed.SetKeyExpirationTime(false, (long)lifetime.TotalSeconds);
        }

        var protect = !string.IsNullOrEmpty(request.Passphrase);
        var ring = new PgpKeyRingGenerator(
            PgpSignature.PositiveCertification,
            pair,
            request.UserId,
            protect ? SymmetricKeyAlgorithmTag.Aes128 : SymmetricKeyAlgorithmTag.Null,
            HashAlgorithmTag.Sha256,
            protect ? request.Passphrase!.ToCharArray() : [],

            // The check value must be the one the S2K usage octet announces: SHA-1 (usage 254) under a
            // passphrase, the two-octet sum (usage 0) in the clear. BouncyCastle appends whichever it is
            // told, so a SHA-1 after usage 0 imports into gpg but fails there with "Checksum error".
            protect,
            hashed.Generate(),
            null,
            random);
        return ring.GenerateSecretKeyRing().GetEncoded();
    }

    public IReadOnlyList<OpenPgpKeyInfo> ReadSecretKeys(ReadOnlySpan<byte> data, DateTimeOffset now)
    {
        var rings = ReadSecretRings(data);
        return rings.Select(r => Describe(PublicKeysOf(r), now, r.GetSecretKey().KeyEncryptionAlgorithm != SymmetricKeyAlgorithmTag.Null)).ToList();
    }

    public IReadOnlyList<OpenPgpKeyInfo> ReadPublicKeys(ReadOnlySpan<byte> data, DateTimeOffset now)
    {
        var parsed = ParsedPublicRings(data);

        // Describe checks revocations and bindings, which re-initialises signatures inside the shared keys.
        lock (parsed.Gate)
        {
            return parsed.Rings.Select(r => Describe(r.GetPublicKeys().Cast<PgpPublicKey>().ToList(), now, false)).ToList();
        }
    }

    public byte[] ExportSecretKey(ReadOnlySpan<byte> secretKeys, string fingerprint, bool armored)
    {
        var ring = FindSecretRing(secretKeys, fingerprint);
        var publicLengths = ring.GetSecretKeys().Select(k => k.PublicKey.PublicKeyPacket.GetEncodedContents().Length).ToList();
        return Encode(ClearSecretKeyChecksum.Repair(ring.GetEncoded(), publicLengths), armored);
    }

    public byte[] ExportPublicKey(ReadOnlySpan<byte> secretKeys, string fingerprint, bool armored)
    {
        var ring = FindSecretRing(secretKeys, fingerprint);
        using var buffer = new MemoryStream();
        foreach (var key in PublicKeysOf(ring))
        {
            key.Encode(buffer);
        }

        return Encode(buffer.ToArray(), armored);
    }

    public bool CheckPassphrase(ReadOnlySpan<byte> secretKeys, string fingerprint, ReadOnlySpan<char> passphrase)
    {
        // Through the key kept for signing: a load checks the passphrase and then signs, and every unlock of an RSA
        // key runs BouncyCastle's primality test of the modulus (a profile of a load put 18 ms of its start there,
        // once for the check and once more for the first signature).
        var ring = FindSecretRing(secretKeys, fingerprint);
        try
        {
            _ = Unlock(secretKeys, fingerprint, passphrase, ring.GetSecretKey());
            return true;
        }
        catch (OpenPgpException)
        {
            return false;
        }
    }

    /// <summary>
    /// An RSA key pair from the platform (OpenSSL): about a second for 4096 bits, where BouncyCastle's
    /// managed prime search takes five to fifteen.
    /// </summary>
    private static AsymmetricCipherKeyPair NewRsaPair(int bits)
    {
        using var rsa = RSA.Create(bits);
        var p = rsa.ExportParameters(includePrivateParameters: true);
        static BigInteger Unsigned(byte[]? value) => new(1, value ?? throw new CryptographicException("incomplete RSA key"));
        var modulus = Unsigned(p.Modulus);
        var exponent = Unsigned(p.Exponent);
        return new AsymmetricCipherKeyPair(
            new RsaKeyParameters(false, modulus, exponent),
            new RsaPrivateCrtKeyParameters(modulus, exponent, Unsigned(p.D), Unsigned(p.P), Unsigned(p.Q), Unsigned(p.DP), Unsigned(p.DQ), Unsigned(p.InverseQ)));
    }

    private static AsymmetricCipherKeyPair NewEd25519Pair(SecureRandom random)
    {
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(random));
        return generator.GenerateKeyPair();
    }

    internal static string FingerprintOf(PgpPublicKey key) => Convert.ToHexString(key.GetFingerprint());

    private static PgpPrivateKey ExtractPrivateKey(PgpSecretKey key, ReadOnlySpan<char> passphrase)
    {
        try
        {
            return key.ExtractPrivateKey(passphrase.ToArray()) ?? throw new OpenPgpException("the key holds no secret part");
        }
        catch (PgpException e)
        {
            throw new OpenPgpException("bad passphrase for key " + FingerprintOf(key.PublicKey), e);
        }
    }

    private static List<PgpPublicKey> PublicKeysOf(PgpSecretKeyRing ring) =>
        ring.GetSecretKeys().Cast<PgpSecretKey>().Select(k => k.PublicKey).ToList();

    private static PgpSecretKeyRing FindSecretRing(ReadOnlySpan<byte> data, string fingerprint) =>
        ReadSecretRings(data).FirstOrDefault(r => string.Equals(FingerprintOf(r.GetPublicKey()), fingerprint, StringComparison.OrdinalIgnoreCase))
        ?? throw new OpenPgpException($"no secret key with fingerprint {fingerprint}");

    private static List<PgpSecretKeyRing> ReadSecretRings(ReadOnlySpan<byte> data)
    {
        CheckSize(data);
        try
        {
            using var input = PgpUtilities.GetDecoderStream(new MemoryStream(data.ToArray()));
            var bundle = new PgpSecretKeyRingBundle(input);
            var rings = bundle.GetKeyRings().Cast<PgpSecretKeyRing>().ToList();
            return rings.Count > 0 ? rings : throw new OpenPgpException("no OpenPGP secret key found");
        }
        catch (Exception e) when (e is PgpException or IOException or ArgumentException or InvalidCastException)
        {
            throw new OpenPgpException("cannot read OpenPGP secret key: " + e.Message, e);
        }
    }

    /// <summary>
    /// The public rings in <paramref name="data"/>, parsed once per distinct content: policy checks
    /// hand the same key files over for every signature, and parsing them cost more than the RSA check.
    /// Keyed by content, so a changed key file is read afresh; unreadable data is never cached.
    /// </summary>
    private static ParsedKeyring ParsedPublicRings(ReadOnlySpan<byte> data)
    {
        if (data.Length > MaxCachedKeyringBytes)
        {
            return new ParsedKeyring(ReadPublicRings(data));
        }

        var id = Convert.ToHexString(SHA256.HashData(data));
        if (ParsedKeyrings.TryGetValue(id, out var cached))
        {
            return cached;
        }

        var parsed = new ParsedKeyring(ReadPublicRings(data));
        if (ParsedKeyrings.Count >= MaxCachedKeyrings)
        {
            // Trusted keyrings are few; this only trips on churn, and starting over is enough.
            ParsedKeyrings.Clear();
        }

        return ParsedKeyrings.GetOrAdd(id, parsed);
    }

    private static List<PgpPublicKeyRing> ReadPublicRings(ReadOnlySpan<byte> data)
    {
        CheckSize(data);
        try
        {
            var rings = new PgpPublicKeyRingBundle(Dearmor(data)).GetKeyRings().Cast<PgpPublicKeyRing>().ToList();
            return rings.Count > 0 ? rings : throw new OpenPgpException("no OpenPGP public key found");
        }
        catch (Exception e) when (e is PgpException or IOException or ArgumentException or InvalidCastException)
        {
            // One unreadable key (an algorithm BouncyCastle does not know) fails the whole bundle:
            // read the keys one by one and keep those that parse.
            var readable = ReadKeysSeparately(data);
            return readable.Count > 0 ? readable : throw new OpenPgpException("cannot read OpenPGP public key: " + e.Message, e);
        }
    }

    private static List<PgpPublicKeyRing> ReadKeysSeparately(ReadOnlySpan<byte> data)
    {
        var rings = new List<PgpPublicKeyRing>();
        byte[] binary;
        try
        {
            binary = Dearmor(data);
        }
        catch (IOException)
        {
            return rings;
        }

        foreach (var key in TransferableKeySplitter.Split(binary) ?? [])
        {
            try
            {
                rings.Add(new PgpPublicKeyRing(key));
            }
            catch (Exception e) when (e is PgpException or IOException or ArgumentException or InvalidCastException)
            {
                // Skipped: a key this library cannot read cannot verify anything here either.
            }
        }

        return rings;
    }

    /// <summary>Binary key packets from armored or binary input.</summary>
    private static byte[] Dearmor(ReadOnlySpan<byte> data)
    {
        using var input = PgpUtilities.GetDecoderStream(new MemoryStream(data.ToArray()));
        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static void CheckSize(ReadOnlySpan<byte> data)
    {
        if (data.Length == 0 || data.Length > MaxKeyBytes)
        {
            throw new OpenPgpException(data.Length == 0 ? "empty key data" : "key data larger than 4 MiB");
        }
    }

    private static byte[] Encode(byte[] binary, bool armored)
    {
        if (!armored)
        {
            return binary;
        }

        using var buffer = new MemoryStream();
        using (var armor = new ArmoredOutputStream(buffer))
        {
            armor.Write(binary, 0, binary.Length);
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Parsed rings shared between callers. Checking a revocation or binding signature
    /// re-initialises that signature object, so such checks hold <see cref="Gate"/>.
    /// </summary>
    private sealed class ParsedKeyring(List<PgpPublicKeyRing> rings)
    {
        public List<PgpPublicKeyRing> Rings { get; } = rings;

        public Lock Gate { get; } = new();
    }
}
