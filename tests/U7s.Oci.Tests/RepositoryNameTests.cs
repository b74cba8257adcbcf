using U7s.Oci;

namespace U7s.Oci.Tests;

public class RepositoryNameTests
{
    [Theory]
    [InlineData("pause", true)]
    [InlineData("k8s-c10f1/kube-apiserver", true)]
    [InlineData("a/b/c/d", true)]
    [InlineData("a.b_c__d--e", true)]
    [InlineData("a---b", true)]
    [InlineData("Upper", false)]
    [InlineData("a//b", false)]
    [InlineData("/a", false)]
    [InlineData("a/", false)]
    [InlineData("..", false)]
    [InlineData("a/../b", false)]
    [InlineData("a/./b", false)]
    [InlineData("a___b", false)]
    [InlineData("-a", false)]
    [InlineData("a-", false)]
    [InlineData("_a", false)]
    [InlineData("a/_blobs", false)]
    [InlineData("a b", false)]
    [InlineData("a%2fb", false)]
    [InlineData("", false)]
    public void TryParse_DistributionGrammar(string text, bool valid)
    {
        Assert.Equal(valid, RepositoryName.TryParse(text, out var name));
        if (valid)
        {
            Assert.Equal(text, name.Value);
        }
    }

    [Fact]
    public void TryParse_TooLong_Fails()
    {
        Assert.False(RepositoryName.TryParse(new string('a', RepositoryName.MaxLength + 1), out _));
        Assert.True(RepositoryName.TryParse(new string('a', RepositoryName.MaxLength), out _));
    }
}
