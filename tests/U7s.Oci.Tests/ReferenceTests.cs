using U7s.Oci;

namespace U7s.Oci.Tests;

public class ReferenceTests
{
    private const string Hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    [Theory]
    [InlineData("registry.local/k8s-c10f1/pause:3.9", "registry.local", "k8s-c10f1/pause", "3.9", null)]
    [InlineData("127.0.0.1:5000/ns/app:v1", "127.0.0.1:5000", "ns/app", "v1", null)]
    [InlineData("localhost/app", "localhost", "app", null, null)]
    [InlineData("k8s-c10f1/pause:3.9", null, "k8s-c10f1/pause", "3.9", null)]
    [InlineData("registry.local/app@sha256:" + Hex, "registry.local", "app", null, "sha256:" + Hex)]
    [InlineData("registry.local/app:v1@sha256:" + Hex, "registry.local", "app", "v1", "sha256:" + Hex)]
    public void TryParse_Valid(string text, string? host, string repository, string? tag, string? digest)
    {
        Assert.True(Reference.TryParse(text, out var reference));
        Assert.Equal(host, reference.Host);
        Assert.Equal(repository, reference.Repository.Value);
        Assert.Equal(tag, reference.Tag?.Value);
        Assert.Equal(digest, reference.Digest?.ToString());
        Assert.Equal(text, reference.ToString());
    }

    [Theory]
    [InlineData("registry.local/App:v1")]
    [InlineData("registry.local/app:")]
    [InlineData("registry.local/app@sha256:123")]
    [InlineData("registry.local:99999/app:v1")]
    [InlineData("-bad.host/app:v1")]
    [InlineData("registry.local/")]
    [InlineData("")]
    public void TryParse_Invalid(string text) => Assert.False(Reference.TryParse(text, out _));

    [Fact]
    public void WithDigest_DropsTag()
    {
        var reference = Reference.Parse("registry.local/app:v1").WithDigest(Digest.Parse("sha256:" + Hex));
        Assert.Equal("registry.local/app@sha256:" + Hex, reference.ToString());
    }
}
