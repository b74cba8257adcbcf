using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using U7s.Sigstore.OpenPgp;

namespace U7s.Sigstore.Tests.OpenPgp;

public sealed class BouncyCastleOpenPgpTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("{\"hello\":\"world\"}");
    private readonly BouncyCastleOpenPgp _pgp = new();

    [Fact]
    public void Sign_ThenVerify_ReturnsPayloadAndPrimaryFingerprint()
    {
        var blob = _pgp.Sign(Payload, SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, default, SignatureHash.Sha256, Now);

        var result = _pgp.Verify(blob, [SampleKeys.SignerPublic], Now, default);

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(Payload, result.Content);
        Assert.Equal(SampleKeys.SignerFingerprint, result.SignerFingerprint);
        Assert.Equal(SampleKeys.SignerFingerprint, result.PrimaryFingerprint);
    }

    [Fact]
    public void Sign_WritesOnePassLiteralSignatureShape()
    {
        var blob = _pgp.Sign(Payload, SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, default, SignatureHash.Sha512, Now);

        // Old-format one-pass signature packet first (SPEC §2.2 accepts 0x90-0x92), never armor.
        Assert.InRange(blob[0], 0x90, 0x92);
        Assert.True(_pgp.Verify(blob, [SampleKeys.SignerPublic], Now, default).IsValid);
    }

    [Fact]
    public void Sign_ProtectedKey_NeedsThePassphrase()
    {
        var blob = _pgp.Sign(Payload, SampleKeys.ProtectedSecret, SampleKeys.ProtectedFingerprint, SampleKeys.ProtectedPassphrase, SignatureHash.Sha256, Now);
        Assert.True(_pgp.Verify(blob, [SampleKeys.ProtectedPublic], Now, default).IsValid);

        var e = Assert.Throws<OpenPgpException>(() => _pgp.Sign(Payload, SampleKeys.ProtectedSecret, SampleKeys.ProtectedFingerprint, "wrong", SignatureHash.Sha256, Now));
        Assert.Contains("bad passphrase", e.Message, StringComparison.Ordinal);
        Assert.True(_pgp.CheckPassphrase(SampleKeys.ProtectedSecret, SampleKeys.ProtectedFingerprint, "sample"));
        Assert.False(_pgp.CheckPassphrase(SampleKeys.ProtectedSecret, SampleKeys.ProtectedFingerprint, "nope"));
    }

    [Fact]
    public void CheckPassphrase_KeepsTheKeyItUnlocked_ButAWrongPassphraseStillFails()
    {
        // A load checks the passphrase, then signs: the check unlocks the key the signature uses.
        Assert.True(_pgp.CheckPassphrase(SampleKeys.ProtectedSecret, SampleKeys.ProtectedFingerprint, SampleKeys.ProtectedPassphrase));
        Assert.False(_pgp.CheckPassphrase(SampleKeys.ProtectedSecret, SampleKeys.ProtectedFingerprint, "wrong"));
        Assert.Throws<OpenPgpException>(() => _pgp.Sign(Payload, SampleKeys.ProtectedSecret, SampleKeys.ProtectedFingerprint, "wrong", SignatureHash.Sha256, Now));
        Assert.True(_pgp.CheckPassphrase(SampleKeys.ProtectedSecret, SampleKeys.ProtectedFingerprint, SampleKeys.ProtectedPassphrase));
        var blob = _pgp.Sign(Payload, SampleKeys.ProtectedSecret, SampleKeys.ProtectedFingerprint, SampleKeys.ProtectedPassphrase, SignatureHash.Sha256, Now);
        Assert.True(_pgp.Verify(blob, [SampleKeys.ProtectedPublic], Now, default).IsValid);
        Assert.False(_pgp.CheckPassphrase(SampleKeys.ProtectedSecret, SampleKeys.ProtectedFingerprint, "wrong"));
    }

    [Fact]
    public void Sign_KeptUnlockedKey_IsUsedOnlyForTheSameKeyAndPassphrase()
    {
        // The instance keeps the key it last unlocked: alternating keys must each sign with their own,
        // and a wrong passphrase must fail even right after the right one unlocked the same key.
        for (var round = 0; round < 2; round++)
        {
            var protectedBlob = _pgp.Sign(Payload, SampleKeys.ProtectedSecret, SampleKeys.ProtectedFingerprint, SampleKeys.ProtectedPassphrase, SignatureHash.Sha256, Now);
            Assert.Throws<OpenPgpException>(() => _pgp.Sign(Payload, SampleKeys.ProtectedSecret, SampleKeys.ProtectedFingerprint, "wrong", SignatureHash.Sha256, Now));
            Assert.Throws<OpenPgpException>(() => _pgp.Sign(Payload, SampleKeys.ProtectedSecret, SampleKeys.ProtectedFingerprint, default, SignatureHash.Sha256, Now));
            var signerBlob = _pgp.Sign(Payload, SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, default, SignatureHash.Sha256, Now);

            Assert.Equal(SampleKeys.ProtectedFingerprint, _pgp.Verify(protectedBlob, [SampleKeys.ProtectedPublic], Now, default).PrimaryFingerprint);
            Assert.False(_pgp.Verify(protectedBlob, [SampleKeys.SignerPublic], Now, default).IsValid);
            Assert.Equal(SampleKeys.SignerFingerprint, _pgp.Verify(signerBlob, [SampleKeys.SignerPublic], Now, default).PrimaryFingerprint);
            Assert.False(_pgp.Verify(signerBlob, [SampleKeys.ProtectedPublic], Now, default).IsValid);
        }
    }

    [Fact]
    public void Verify_UnknownKey_IsRejected()
    {
        var blob = _pgp.Sign(Payload, SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, default, SignatureHash.Sha256, Now);

        var result = _pgp.Verify(blob, [SampleKeys.ProtectedPublic], Now, default);

        Assert.False(result.IsValid);
        Assert.Contains("no public key", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_TamperedLiteral_IsBadSignature()
    {
        var blob = _pgp.Sign(Payload, SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, default, SignatureHash.Sha256, Now);
        var at = blob.AsSpan().IndexOf("world"u8);
        blob[at] = (byte)'W';

        var result = _pgp.Verify(blob, [SampleKeys.SignerPublic], Now, default);

        Assert.False(result.IsValid);
        Assert.Contains("bad signature", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x2D, false)] // '-' armor
    [InlineData(0xA3, true)]
    [InlineData(0xC8, true)]
    [InlineData(0x90, true)]
    [InlineData(0x93, false)]
    [InlineData(0xC4, true)]
    [InlineData(0x89, true)]
    [InlineData(0xC2, true)]
    [InlineData(0xCB, false)] // literal data first: unsigned
    [InlineData(0x85, false)] // encrypted session key
    public void IsSignedMessageStart_SniffsLikeContainersImage(int first, bool accepted) =>
        Assert.Equal(accepted, BouncyCastleOpenPgp.IsSignedMessageStart((byte)first));

    [Fact]
    public void Verify_Armored_IsUnrecognizedFormat()
    {
        var result = _pgp.Verify(SampleKeys.SignerPublic, [SampleKeys.SignerPublic], Now, default);

        Assert.False(result.IsValid);
        Assert.Equal("unrecognized signature format", result.Error);
    }

    [Fact]
    public void GenerateSecretKey_MakesPrimaryOnlyRsaKeyThatSigns()
    {
        var secret = _pgp.GenerateSecretKey(new KeyGenerationRequest("Gen Test", "gen@example.test", KeySpec.Rsa(2048), "pw", Now));

        var info = Assert.Single(_pgp.ReadSecretKeys(secret, Now));
        Assert.Equal(["Gen Test <gen@example.test>"], info.UserIds);
        Assert.Equal(["gen@example.test"], info.Emails);
        Assert.Equal(2048, info.Bits);
        Assert.True(info.IsProtected);
        Assert.Empty(info.SigningSubkeyFingerprints);
        Assert.False(info.IsRevoked);
        Assert.Null(info.ExpiresAt);

        var publicKey = _pgp.ExportPublicKey(secret, info.Fingerprint, armored: true);
        Assert.StartsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----", Encoding.ASCII.GetString(publicKey), StringComparison.Ordinal);
        var blob = _pgp.Sign(Payload, secret, info.Fingerprint, "pw", SignatureHash.Sha256, Now);
        Assert.True(_pgp.Verify(blob, [publicKey], Now, default).IsValid);
    }

    [Fact]
    public void Verify_ExpiredKey_IsRejected()
    {
        var secret = _pgp.GenerateSecretKey(new KeyGenerationRequest("Short", "short@example.test", KeySpec.Rsa(2048), null, Now.AddDays(-3), TimeSpan.FromDays(1)));
        var info = Assert.Single(_pgp.ReadSecretKeys(secret, Now));
        Assert.True(info.IsExpired);
        var blob = _pgp.Sign(Payload, secret, info.Fingerprint, default, SignatureHash.Sha256, Now.AddDays(-2.5));

        var before = _pgp.Verify(blob, [_pgp.ExportPublicKey(secret, info.Fingerprint, false)], Now.AddDays(-2.4), default);
        var after = _pgp.Verify(blob, [_pgp.ExportPublicKey(secret, info.Fingerprint, false)], Now, default);

        Assert.True(before.IsValid, before.Error);
        Assert.False(after.IsValid);
        Assert.Contains("expired", after.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadSecretKeys_ReportsSigningSubkey()
    {
        var info = Assert.Single(_pgp.ReadSecretKeys(SampleKeys.SubkeySecret, Now));

        Assert.Equal(SampleKeys.SubkeyPrimaryFingerprint, info.Fingerprint);
        Assert.Equal([SampleKeys.SubkeyFingerprint], info.SigningSubkeyFingerprints);
    }

    [Fact]
    public void ReadPublicKeys_Garbage_Throws() =>
        Assert.Throws<OpenPgpException>(() => _pgp.ReadPublicKeys("not a key"u8, Now));

    [Fact]
    public void GenerateSecretKey_Ed25519_IsGnuPgStyleEdDsaThatSignsAndVerifies()
    {
        var secret = _pgp.GenerateSecretKey(new KeyGenerationRequest("Ed Test", "ed@example.test", KeySpec.Ed25519, null, Now));

        var info = Assert.Single(_pgp.ReadSecretKeys(secret, Now));
        Assert.Equal(OpenPgpKeyInfo.Ed25519, info.Algorithm);
        Assert.False(info.IsRsa);
        Assert.Null(U7s.Sigstore.Keys.SignerKeyStore.ProblemWith(info));

        // Algorithm 22 (EdDSA, GnuPG's form) in the v4 key packet: version, four time octets, algorithm.
        var packet = PacketRewriter.Parse(secret)[0];
        Assert.Equal((5, 4, 22), (packet.Tag, (int)packet.Body[0], (int)packet.Body[5]));

        var publicKey = _pgp.ExportPublicKey(secret, info.Fingerprint, armored: false);
        var blob = _pgp.Sign(Payload, secret, info.Fingerprint, default, SignatureHash.Sha256, Now);
        var result = _pgp.Verify(blob, [publicKey], Now, default);
        Assert.True(result.IsValid, result.Error);
        Assert.Equal(info.Fingerprint, result.PrimaryFingerprint);
        Assert.Contains("bad signature", _pgp.Verify(Tampered(blob), [publicKey], Now, default).Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rsa", false)]
    [InlineData("rsa", true)]
    [InlineData("ed25519", false)]
    [InlineData("ed25519", true)]
    public void GenerateSecretKey_CheckValueIsTheOneTheUsageOctetAnnounces(string algorithm, bool protect)
    {
        var spec = algorithm == "rsa" ? KeySpec.Rsa(2048) : KeySpec.Ed25519;
        var secret = _pgp.GenerateSecretKey(new KeyGenerationRequest("C", "c@example.test", spec, protect ? "pw" : null, Now));
        var info = Assert.Single(_pgp.ReadSecretKeys(secret, Now));
        var body = PacketRewriter.Parse(secret)[0].Body;
        var usage = body[PublicPartLength(secret, info.Fingerprint)];

        if (protect)
        {
            // 254: iterated+salted S2K with a SHA-1 check, as GnuPG 2.2 exports.
            Assert.Equal(254, usage);
        }
        else
        {
            // 0: in the clear, followed by the MPIs and their two-octet sum (RFC 4880 §5.5.3), which gpg checks.
            Assert.Equal(0, usage);
            var material = body.AsSpan(PublicPartLength(secret, info.Fingerprint) + 1);
            Assert.Equal(Sum(material[..^2]), (material[^2] << 8) | material[^1]);
        }
    }

    [Fact]
    public void ExportSecretKey_ClearKeyWithSha1Check_IsRepairedForGnuPg()
    {
        var broken = ClearKeyWithSha1Check();
        var info = Assert.Single(_pgp.ReadSecretKeys(broken, Now));

        var repaired = _pgp.ExportSecretKey(broken, info.Fingerprint, armored: false);

        var before = PacketRewriter.Parse(broken)[0].Body;
        var after = PacketRewriter.Parse(repaired)[0].Body;
        Assert.Equal(before.Length - 18, after.Length);
        var material = after.AsSpan(PublicPartLength(repaired, info.Fingerprint) + 1);
        Assert.Equal(Sum(material[..^2]), (material[^2] << 8) | material[^1]);

        // Same key, still signs; a sound key is exported byte for byte.
        var blob = _pgp.Sign(Payload, repaired, info.Fingerprint, default, SignatureHash.Sha256, Now);
        Assert.True(_pgp.Verify(blob, [_pgp.ExportPublicKey(broken, info.Fingerprint, false)], Now, default).IsValid);
        Assert.Equal(repaired, _pgp.ExportSecretKey(repaired, info.Fingerprint, armored: false));
    }

    [Fact]
    public void ReadPublicKeys_Rfc9580Ed25519Key_IsReadButRefusedAsSigner()
    {
        // BouncyCastle 2.7.0 reads algorithm 27 keys but cannot certify, sign or parse signatures with them.
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        var key = new PgpKeyPair(PublicKeyAlgorithmTag.Ed25519, generator.GenerateKeyPair(), DateTime.UtcNow.AddMinutes(-1)).PublicKey;

        var info = Assert.Single(_pgp.ReadPublicKeys(key.GetEncoded(), Now));

        Assert.Equal(OpenPgpKeyInfo.Ed25519Rfc9580, info.Algorithm);
        Assert.Contains("RFC 9580", U7s.Sigstore.Keys.SignerKeyStore.ProblemWith(info), StringComparison.Ordinal);
    }

    /// <summary>An unprotected key as earlier U7s versions wrote it: usage 0, then a SHA-1 instead of the two-octet sum.</summary>
    internal static byte[] ClearKeyWithSha1Check()
    {
        var random = new SecureRandom();
        var generator = new RsaKeyPairGenerator();
        generator.Init(new RsaKeyGenerationParameters(BigInteger.ValueOf(0x10001), random, 2048, 80));
        var pair = new PgpKeyPair(PublicKeyAlgorithmTag.RsaGeneral, generator.GenerateKeyPair(), DateTime.UtcNow.AddMinutes(-1));
        var flags = new PgpSignatureSubpacketGenerator();
        flags.SetKeyFlags(false, PgpKeyFlags.CanSign | PgpKeyFlags.CanCertify);
        var ring = new PgpKeyRingGenerator(
            PgpSignature.PositiveCertification, pair, "Old Key <old-clear@example.test>", SymmetricKeyAlgorithmTag.Null, HashAlgorithmTag.Sha256,
            Array.Empty<char>(), useSha1: true, flags.Generate(), null, random);
        return ring.GenerateSecretKeyRing().GetEncoded();
    }

    private int PublicPartLength(byte[] secret, string fingerprint) =>
        PacketRewriter.Parse(_pgp.ExportPublicKey(secret, fingerprint, armored: false))[0].Body.Length;

    private static int Sum(ReadOnlySpan<byte> bytes)
    {
        var sum = 0;
        foreach (var b in bytes)
        {
            sum += b;
        }

        return sum & 0xFFFF;
    }

    private static byte[] Tampered(byte[] blob)
    {
        var copy = blob.ToArray();
        copy[copy.AsSpan().IndexOf("world"u8)] = (byte)'W';
        return copy;
    }
}
