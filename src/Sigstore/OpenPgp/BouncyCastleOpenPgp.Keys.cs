using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Asn1.EdEC;
using Org.BouncyCastle.Asn1.Gnu;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace U7s.Sigstore.OpenPgp;

/// <summary>Key validity: revocation, expiry and signing subkeys, checked with verified signatures only.</summary>
public sealed partial class BouncyCastleOpenPgp
{
    private static OpenPgpKeyInfo Describe(List<PgpPublicKey> keys, DateTimeOffset now, bool isProtected)
    {
        var primary = keys.First(k => k.IsMasterKey);
        var created = new DateTimeOffset(DateTime.SpecifyKind(primary.CreationTime, DateTimeKind.Utc));
        var validSeconds = primary.GetValidSeconds();
        DateTimeOffset? expires = validSeconds > 0 ? created.AddSeconds(validSeconds) : null;
        var signingSubkeys = keys
            .Where(k => !k.IsMasterKey && IsSigningSubkey(primary, k) && !IsSubkeyRevoked(primary, k))
            .Select(FingerprintOf)
            .ToList();
        return new OpenPgpKeyInfo(
            FingerprintOf(primary),
            UserIdsOf(primary),
            AlgorithmName(primary),
            primary.BitStrength,
            created,
            expires,
            IsPrimaryRevoked(primary),
            expires is { } e && e <= now,
            signingSubkeys,
            isProtected);
    }

    /// <summary>
    /// The key's user IDs, UTF-8 as OpenPGP defines them (RFC 4880 §5.11); BouncyCastle's own strings take
    /// each byte for a character, which turns <c>Иван</c> into <c>Ð˜Ð²Ð°Ð½</c>. Bytes that are not UTF-8
    /// become U+FFFD, as GnuPG shows them escaped.
    /// </summary>
    private static List<string> UserIdsOf(PgpPublicKey key) =>
        key.GetRawUserIds().Select(id => Encoding.UTF8.GetString(id)).ToList();

    /// <summary>
    /// The algorithm as listings show it: RSA keys by their OpenPGP name (<c>RsaGeneral</c>), EdDSA on
    /// Ed25519 as <c>Ed25519</c> whether GnuPG's legacy form (algorithm 22) or RFC 9580's (27).
    /// </summary>
    private static string AlgorithmName(PgpPublicKey key) => key.Algorithm switch
    {
        PublicKeyAlgorithmTag.EdDsa_Legacy when key.PublicKeyPacket.Key is EdDsaPublicBcpgKey legacy
            && (legacy.CurveOid.Equals(GnuObjectIdentifiers.Ed25519) || legacy.CurveOid.Equals(EdECObjectIdentifiers.id_Ed25519)) => OpenPgpKeyInfo.Ed25519,
        PublicKeyAlgorithmTag.Ed25519 => OpenPgpKeyInfo.Ed25519Rfc9580,
        _ => key.Algorithm.ToString(),
    };

    private static bool IsPrimaryRevoked(PgpPublicKey primary) =>
        primary.GetSignaturesOfType(PgpSignature.KeyRevocation).Cast<PgpSignature>().Any(s => Verifies(s, () => s.VerifyCertification(primary), primary));

    private static bool IsSubkeyRevoked(PgpPublicKey primary, PgpPublicKey subkey) =>
        subkey.GetSignaturesOfType(PgpSignature.SubkeyRevocation).Cast<PgpSignature>().Any(s => Verifies(s, () => s.VerifyCertification(primary, subkey), primary));

    /// <summary>The newest valid binding signature of <paramref name="subkey"/>, or null if none verifies.</summary>
    private static PgpSignature? BindingOf(PgpPublicKey primary, PgpPublicKey subkey) =>
        subkey.GetSignaturesOfType(PgpSignature.SubkeyBinding).Cast<PgpSignature>()
            .Where(s => Verifies(s, () => s.VerifyCertification(primary, subkey), primary))
            .OrderByDescending(s => s.CreationTime)
            .FirstOrDefault();

    private static bool IsSigningSubkey(PgpPublicKey primary, PgpPublicKey subkey)
    {
        if (BindingOf(primary, subkey) is not { } binding)
        {
            return false;
        }

        var flags = binding.GetHashedSubPackets()?.GetKeyFlags() ?? 0;

        // Without key flags GnuPG falls back to what the algorithm can do.
        return flags == 0
            ? subkey.Algorithm is PublicKeyAlgorithmTag.RsaGeneral or PublicKeyAlgorithmTag.RsaSign or PublicKeyAlgorithmTag.Dsa or PublicKeyAlgorithmTag.ECDsa or PublicKeyAlgorithmTag.EdDsa_Legacy or PublicKeyAlgorithmTag.Ed25519
            : (flags & PgpKeyFlags.CanSign) != 0;
    }

    private static bool Verifies(PgpSignature signature, Func<bool> check, PgpPublicKey signer)
    {
        try
        {
            signature.InitVerify(signer);
            return check();
        }
        catch (Exception e) when (e is PgpException or IOException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Why <paramref name="key"/> may not be used at <paramref name="now"/> (revoked, expired, unbound subkey), or null.</summary>
    private static string? KeyProblem(PgpPublicKey primary, PgpPublicKey key, DateTimeOffset now)
    {
        if (IsPrimaryRevoked(primary))
        {
            return $"key {FingerprintOf(primary)} is revoked";
        }

        if (ExpiryOf(primary, primary.GetValidSeconds()) is { } primaryExpiry && primaryExpiry <= now)
        {
            return $"key {FingerprintOf(primary)} expired at {primaryExpiry:u}";
        }

        if (key.IsMasterKey)
        {
            return null;
        }

        if (BindingOf(primary, key) is not { } binding)
        {
            return $"subkey {FingerprintOf(key)} has no valid binding signature";
        }

        if (IsSubkeyRevoked(primary, key))
        {
            return $"subkey {FingerprintOf(key)} is revoked";
        }

        var seconds = binding.GetHashedSubPackets()?.GetKeyExpirationTime() ?? 0;
        return ExpiryOf(key, seconds) is { } expiry && expiry <= now ? $"subkey {FingerprintOf(key)} expired at {expiry:u}" : null;
    }

    private static DateTimeOffset? ExpiryOf(PgpPublicKey key, long validSeconds) =>
        validSeconds > 0 ? new DateTimeOffset(DateTime.SpecifyKind(key.CreationTime, DateTimeKind.Utc)).AddSeconds(validSeconds) : null;
}
