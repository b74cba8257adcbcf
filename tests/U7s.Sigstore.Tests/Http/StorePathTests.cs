using U7s.Sigstore.Http;

namespace U7s.Sigstore.Tests.Http;

/// <summary>The request path's normal form: a plain path is its own (the fast path), everything else is decoded and merged.</summary>
public sealed class StorePathTests
{
    [Theory]
    [InlineData("/", "/")]
    [InlineData("/sigstore/k8s-c10f1/pause@sha256=ab/signature-1", "/sigstore/k8s-c10f1/pause@sha256=ab/signature-1")]
    [InlineData("/sigstore/k8s-c10f1/", "/sigstore/k8s-c10f1/")]
    [InlineData("/keys/.hidden", "/keys/.hidden")]
    [InlineData("/keys/a.b", "/keys/a.b")]
    [InlineData("//sigstore//a//", "/sigstore/a/")]
    [InlineData("/sigstore/pause%40sha256%3Dab/signature-1", "/sigstore/pause@sha256=ab/signature-1")]
    [InlineData("///", "/")]
    [InlineData("", "/")]
    [InlineData("relative", "/")]
    public void Normalize_GivesTheNormalForm(string path, string expected) => Assert.Equal(expected, StorePath.Normalize(path));

    [Theory]
    [InlineData("/sigstore/../etc/passwd")]
    [InlineData("/sigstore/./a")]
    [InlineData("/sigstore/..")]
    [InlineData("/sigstore/%2e%2e/etc/passwd")]
    [InlineData("/a\\b")]
    [InlineData("/a\0b")]
    [InlineData("/a%00b")]
    [InlineData("/a%5Cb")]
    public void Normalize_RefusesWhatCouldLeaveTheTree(string path) => Assert.Null(StorePath.Normalize(path));
}
