using System.Text;
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

        var result = _pgp.Verify(blob, [SampleKeys.SignerPublic], Now);

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
        Assert.True(_pgp.Verify(blob, [SampleKeys.SignerPublic], Now).IsValid);
    }

    [Fact]
    public void Sign_ProtectedKey_NeedsThePassphrase()
    {
        var blob = _pgp.Sign(Payload, SampleKeys.ProtectedSecret, SampleKeys.ProtectedFingerprint, SampleKeys.ProtectedPassphrase, SignatureHash.Sha256, Now);
        Assert.True(_pgp.Verify(blob, [SampleKeys.ProtectedPublic], Now).IsValid);

        var e = Assert.Throws<OpenPgpException>(() => _pgp.Sign(Payload, SampleKeys.ProtectedSecret, SampleKeys.ProtectedFingerprint, "wrong", SignatureHash.Sha256, Now));
        Assert.Contains("bad passphrase", e.Message, StringComparison.Ordinal);
        Assert.True(_pgp.CheckPassphrase(SampleKeys.ProtectedSecret, SampleKeys.ProtectedFingerprint, "sample"));
        Assert.False(_pgp.CheckPassphrase(SampleKeys.ProtectedSecret, SampleKeys.ProtectedFingerprint, "nope"));
    }

    [Fact]
    public void Verify_UnknownKey_IsRejected()
    {
        var blob = _pgp.Sign(Payload, SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, default, SignatureHash.Sha256, Now);

        var result = _pgp.Verify(blob, [SampleKeys.ProtectedPublic], Now);

        Assert.False(result.IsValid);
        Assert.Contains("no public key", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_TamperedLiteral_IsBadSignature()
    {
        var blob = _pgp.Sign(Payload, SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, default, SignatureHash.Sha256, Now);
        var at = blob.AsSpan().IndexOf("world"u8);
        blob[at] = (byte)'W';

        var result = _pgp.Verify(blob, [SampleKeys.SignerPublic], Now);

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
        var result = _pgp.Verify(SampleKeys.SignerPublic, [SampleKeys.SignerPublic], Now);

        Assert.False(result.IsValid);
        Assert.Equal("unrecognized signature format", result.Error);
    }

    [Fact]
    public void GenerateSecretKey_MakesPrimaryOnlyRsaKeyThatSigns()
    {
        var secret = _pgp.GenerateSecretKey(new KeyGenerationRequest("Gen Test", "gen@example.test", 2048, "pw", Now));

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
        Assert.True(_pgp.Verify(blob, [publicKey], Now).IsValid);
    }

    [Fact]
    public void Verify_ExpiredKey_IsRejected()
    {
        var secret = _pgp.GenerateSecretKey(new KeyGenerationRequest("Short", "short@example.test", 2048, null, Now.AddDays(-3), TimeSpan.FromDays(1)));
        var info = Assert.Single(_pgp.ReadSecretKeys(secret, Now));
        Assert.True(info.IsExpired);
        var blob = _pgp.Sign(Payload, secret, info.Fingerprint, default, SignatureHash.Sha256, Now.AddDays(-2.5));

        var before = _pgp.Verify(blob, [_pgp.ExportPublicKey(secret, info.Fingerprint, false)], Now.AddDays(-2.4));
        var after = _pgp.Verify(blob, [_pgp.ExportPublicKey(secret, info.Fingerprint, false)], Now);

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
}
