using U7s.Oci;

namespace U7s.Oci.Tests;

public class TagTests
{
    [Theory]
    [InlineData("v1.26.3", true)]
    [InlineData("3.5.6-0", true)]
    [InlineData("_x", true)]
    [InlineData("Latest", true)]
    [InlineData(".hidden", false)]
    [InlineData("-dash", false)]
    [InlineData("a:b", false)]
    [InlineData("a/b", false)]
    [InlineData("", false)]
    public void TryParse_Grammar(string text, bool valid) => Assert.Equal(valid, Tag.TryParse(text, out _));

    [Fact]
    public void TryParse_At128_OkAt129_Fails()
    {
        Assert.True(Tag.TryParse(new string('a', 128), out _));
        Assert.False(Tag.TryParse(new string('a', 129), out _));
    }
}
