using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto.Parameters;

namespace U7s.Sigstore.OpenPgp;

/// <summary>Making simple-signing messages (SPEC §2.2).</summary>
public sealed partial class BouncyCastleOpenPgp
{
    public byte[] Sign(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> secretKeys, string fingerprint, ReadOnlySpan<char> passphrase, SignatureHash hash, DateTimeOffset signingTime)
    {
        var ring = FindSecretRing(secretKeys, fingerprint);

        // Always the primary key: 5.23 trusts primary fingerprints only (SPEC §2.3).
        var secret = ring.GetSecretKey();
        var privateKey = ExtractPrivateKey(secret, passphrase);
        var hashTag = hash == SignatureHash.Sha512 ? HashAlgorithmTag.Sha512 : HashAlgorithmTag.Sha256;

        if (privateKey.Key is RsaPrivateCrtKeyParameters rsa)
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
}
