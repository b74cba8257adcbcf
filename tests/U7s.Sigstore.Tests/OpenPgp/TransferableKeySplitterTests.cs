using U7s.Sigstore.OpenPgp;

namespace U7s.Sigstore.Tests.OpenPgp;

public sealed class TransferableKeySplitterTests
{
    private readonly BouncyCastleOpenPgp _pgp = new();

    [Fact]
    public void Split_ConcatenatedKeys_GivesEachKeyWithItsPackets()
    {
        var signer = _pgp.ExportPublicKey(SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, armored: false);
        var subkey = _pgp.ExportPublicKey(SampleKeys.SubkeySecret, SampleKeys.SubkeyPrimaryFingerprint, armored: false);

        var keys = TransferableKeySplitter.Split([.. signer, .. subkey]);

        Assert.NotNull(keys);
        Assert.Equal([signer, subkey], keys);
    }

    [Fact]
    public void Split_BrokenFraming_IsNull()
    {
        var signer = _pgp.ExportPublicKey(SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, armored: false);

        Assert.Null(TransferableKeySplitter.Split(signer[..^3].Concat(new byte[] { 0x00 }).ToArray()));
        Assert.Null(TransferableKeySplitter.Split([0x99, 0xFF]));
    }

    [Fact]
    public void ReadPublicKeys_MixedWithUnparsableKey_KeepsReadableOnes()
    {
        var signer = _pgp.ExportPublicKey(SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, armored: false);

        // A well-framed v4 public key packet with an algorithm BouncyCastle rejects (99).
        byte[] unknown = [0x99, 0x00, 0x06, 0x04, 0x60, 0x00, 0x00, 0x00, 0x63];

        var keys = _pgp.ReadPublicKeys([.. unknown, .. signer], DateTimeOffset.UtcNow);

        Assert.Equal([SampleKeys.SignerFingerprint], keys.Select(k => k.Fingerprint));
    }
}
