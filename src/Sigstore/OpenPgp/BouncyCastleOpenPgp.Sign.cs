using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto.Parameters;

namespace U7s.Sigstore.OpenPgp;

/// <summary>Making simple-signing messages (SPEC §2.2).</summary>
public sealed partial class BouncyCastleOpenPgp
{
    private readonly Lock _unlockGate = new();
    private UnlockedKey? _unlocked;

    public byte[] Sign(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> secretKeys, string fingerprint, ReadOnlySpan<char> passphrase, SignatureHash hash, DateTimeOffset signingTime)
    {
        // Always the primary key: 5.23 trusts primary fingerprints only (SPEC §2.3).
        var key = Unlock(secretKeys, fingerprint, passphrase);
        var secret = key.Secret;
        var privateKey = key.PrivateKey;
        var hashTag = hash == SignatureHash.Sha512 ? HashAlgorithmTag.Sha512 : HashAlgorithmTag.Sha256;

        if (key.Rsa is { } rsa)
        {
            return RsaSignedMessage.Write(payload, rsa, secret.KeyId, hash, signingTime);
        }

        // OpenPGP timestamps have one-second resolution; the literal date and the signature agree.
        var when = DateTimeOffset.FromUnixTimeSeconds(signingTime.ToUnixTimeSeconds()).UtcDateTime;
        var generator = new PgpSignatureGenerator(secret.PublicKey.Algorithm, hashTag);
        generator.InitSign(PgpSignature.BinaryDocument, privateKey);
        var hashed = new PgpSignatureSubpacketGenerator();
        hashed.SetSignatureCreationTime(false, when);
        generator.SetHashedSubpackets(hashed.Generate());
        var unhashed = new PgpSignatureSubpacketGenerator();
        unhashed.SetIssuerKeyID(false, secret.KeyId);
        generator.SetUnhashedSubpackets(unhashed.Generate());

        using var output = new MemoryStream();
        generator.GenerateOnePassVersion(false).Encode(output);
        var literal = new PgpLiteralDataGenerator();
        using (var body = literal.Open(output, PgpLiteralData.Binary, string.Empty, payload.Length, when))
        {
            body.Write(payload);
        }

        generator.Update(payload.ToArray());
        generator.Generate().Encode(output);
        return output.ToArray();
    }

    /// <summary>The unlocked primary of <paramref name="secretKeys"/>: the one kept from the last signature when it is the same key.</summary>
    private UnlockedKey Unlock(ReadOnlySpan<byte> secretKeys, string fingerprint, ReadOnlySpan<char> passphrase, PgpSecretKey? found = null)
    {
        lock (_unlockGate)
        {
            if (_unlocked is { } kept && kept.Matches(secretKeys, fingerprint, passphrase))
            {
                return kept;
            }
        }

        var secret = found ?? FindSecretRing(secretKeys, fingerprint).GetSecretKey();
        var unlocked = new UnlockedKey(secretKeys, fingerprint, passphrase, secret, ExtractPrivateKey(secret, passphrase));
        lock (_unlockGate)
        {
            _unlocked = unlocked;
        }

        return unlocked;
    }
}
