using U7s.Sigstore.OpenPgp;

namespace U7s.Sigstore.Tests.OpenPgp;

public sealed class KeySpecTests
{
    [Theory]
    [InlineData("rsa4096", KeyAlgorithm.Rsa, 4096)]
    [InlineData("RSA2048", KeyAlgorithm.Rsa, 2048)]
    [InlineData("rsa3072", KeyAlgorithm.Rsa, 3072)]
    [InlineData("rsa8192", KeyAlgorithm.Rsa, 8192)]
    [InlineData("ed25519", KeyAlgorithm.Ed25519, 256)]
    [InlineData("Ed25519", KeyAlgorithm.Ed25519, 256)]
    public void TryParse_Known_Parses(string text, KeyAlgorithm algorithm, int bits)
    {
        Assert.True(KeySpec.TryParse(text, out var spec));
        Assert.Equal((algorithm, bits), (spec.Algorithm, spec.Bits));
        Assert.Equal(text.ToLowerInvariant(), spec.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("rsa")]
    [InlineData("rsa1024")]
    [InlineData("rsa8200")]
    [InlineData("rsa3000x")]
    [InlineData("rsa+4096")]
    [InlineData("rsa3001")]
    [InlineData("ed448")]
    [InlineData("dsa2048")]
    public void TryParse_Unknown_Fails(string? text) => Assert.False(KeySpec.TryParse(text, out _));

    [Fact]
    public void Rsa_OutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => KeySpec.Rsa(1024));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeySpec.Rsa(3001));
        Assert.Equal("rsa4096", KeySpec.Default.ToString());
    }
}
