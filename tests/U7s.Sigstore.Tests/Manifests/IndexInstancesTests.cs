using System.Text;
using U7s.Oci;
using U7s.Sigstore.Manifests;

namespace U7s.Sigstore.Tests.Manifests;

public sealed class IndexInstancesTests
{
    private static readonly string A = "sha256:" + new string('a', 64);
    private static readonly string B = "sha256:" + new string('b', 64);

    private static FetchedManifest Manifest(string json, string? mediaType) =>
        new(Encoding.UTF8.GetBytes(json), mediaType, Digest.Compute(Encoding.UTF8.GetBytes(json)));

    [Theory]
    [InlineData(MediaTypes.OciIndex)]
    [InlineData(MediaTypes.DockerManifestList)]
    [InlineData(null)]
    public void Of_Index_ListsInstanceDigestsInOrder(string? mediaType) =>
        Assert.Equal(
            [Digest.Parse(A), Digest.Parse(B)],
            IndexInstances.Of(Manifest($$"""{"schemaVersion":2,"manifests":[{"digest":"{{A}}"},{"digest":"{{B}}"}]}""", mediaType)));

    [Fact]
    public void Of_ImageManifest_IsEmpty() =>
        Assert.Empty(IndexInstances.Of(Manifest("""{"schemaVersion":2,"config":{},"layers":[]}""", MediaTypes.OciManifest)));

    [Theory]
    [InlineData("""{"manifests":[{"digest":"sha256:XYZ"}]}""")]
    [InlineData("""{"manifests":[1]}""")]
    [InlineData("""not json""")]
    public void Of_BrokenIndex_Throws(string json) =>
        Assert.Throws<ManifestSourceException>(() => IndexInstances.Of(Manifest(json, MediaTypes.OciIndex)));
}
