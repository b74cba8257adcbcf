using System.Text;
using U7s.Registry.Storage;
using U7s.Testing;

namespace U7s.Registry.Tests.Storage;

/// <summary>The link-file reader that replaced File.ReadAllTextAsync on the manifest GET path: the same text, the same nulls.</summary>
public sealed class LinkFileTests : IDisposable
{
    private readonly TempDirectory _root = new("u7s-link");

    public void Dispose() => _root.Dispose();

    [Fact]
    public void ReadTextOrNull_MissingFileOrDirectory_IsNull()
    {
        Assert.Null(LinkFile.ReadTextOrNull(Path.Combine(_root.Path, "absent")));
        Assert.Null(LinkFile.ReadTextOrNull(Path.Combine(_root.Path, "no-dir", "link")));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(71)]
    [InlineData(511)]
    [InlineData(512)]
    [InlineData(5000)]
    public void ReadTextOrNull_AnyLength_ReadsWhatFileReadAllTextReads(int length)
    {
        var path = Path.Combine(_root.Path, $"link-{length}");
        var text = string.Concat(Enumerable.Range(0, length).Select(i => (char)('a' + (i % 26))));
        File.WriteAllText(path, text);

        Assert.Equal(File.ReadAllText(path), LinkFile.ReadTextOrNull(path));
    }

    [Fact]
    public void ReadTextOrNull_ByteOrderMarkAndMultiByteText_AsFileReadAllText()
    {
        var path = Path.Combine(_root.Path, "bom");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("application/vnd.oci.image.manifest.v1+json ü")]);

        Assert.Equal("application/vnd.oci.image.manifest.v1+json ü", LinkFile.ReadTextOrNull(path));
        Assert.Equal(File.ReadAllText(path), LinkFile.ReadTextOrNull(path));
    }
}
