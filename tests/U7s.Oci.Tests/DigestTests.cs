using U7s.Oci;

namespace U7s.Oci.Tests;

public class DigestTests
{
    [Theory]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", true)]
    [InlineData("sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e", true)]
    [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", false)]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85", false)]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555", false)]
    [InlineData("sha256:XYZ", false)]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e", false)]
    [InlineData("sha256", false)]
    [InlineData(":e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("sha256:../../../../etc/passwd", false)]
    public void TryParse_Grammar(string? text, bool valid)
    {
        Assert.Equal(valid, Digest.TryParse(text, out var digest));
        if (valid)
        {
            Assert.Equal(text, digest.ToString());
        }
    }

    [Fact]
    public void Compute_EmptyContent_IsKnownSha256()
    {
        Assert.Equal("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Digest.Compute([]).ToString());
    }

    [Fact]
    public void Parse_Invalid_Throws()
    {
        Assert.Throws<FormatException>(() => Digest.Parse("sha256:nothex"));
    }
}
