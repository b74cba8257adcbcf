namespace U7s.Oci.Tests;

public sealed class NearestNameTests
{
    [Theory]
    [InlineData("--forse", "--force")]
    [InlineData("--sigstore-rot", "--sigstore-root")]
    [InlineData("--REGISTRY-URL", "--registry-url")]
    [InlineData("verfiy", "verify")]
    [InlineData("--x", null)]
    [InlineData("--completely-different", null)]
    [InlineData("", null)]
    public void Of_FindsATypoNotADifferentWord(string typed, string? expected)
    {
        string[] known = ["--force", "--sigstore-root", "--registry-url", "--key", "verify", "sign"];
        Assert.Equal(expected, NearestName.Of(typed, known));
    }

    [Fact]
    public void Of_HostileLengthIsNotCompared() =>
        Assert.Null(NearestName.Of(new string('a', 100_000), ["aaaa"]));

    [Theory]
    [InlineData("abc", "abc", 0)]
    [InlineData("abc", "acb", 1)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    public void Distance_IsTheOptimalStringAlignmentDistance(string a, string b, int expected) =>
        Assert.Equal(expected, NearestName.Distance(a, b));
}
