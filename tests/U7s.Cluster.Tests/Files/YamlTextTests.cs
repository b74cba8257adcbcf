using U7s.Cluster.Files;
using YamlDotNet.RepresentationModel;

namespace U7s.Cluster.Tests.Files;

public sealed class YamlTextTests
{
    [Fact]
    public void Write_ReadBack_KeepsQuotingTagsAndEmptyCollections()
    {
        const string yaml = "a: \"true\"\nb: true\nc: !!str 10\nd: {}\ne: []\nf:\n- x: 'y z'\n";
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));

        var text = YamlText.Write(stream.Documents[0].RootNode);

        Assert.Equal("a: \"true\"\nb: true\nc: !!str 10\nd: {}\ne: []\nf:\n- x: 'y z'\n", text);
    }

    [Fact]
    public void Write_BuiltTree_PlainBlockDocumentWithoutMarkers()
    {
        var tree = new YamlMappingNode { { "default-docker", new YamlMappingNode { { "lookaside", "http://10.0.0.1:81/sigstore/" } } } };

        Assert.Equal("default-docker:\n  lookaside: http://10.0.0.1:81/sigstore/\n", YamlText.Write(tree));
    }
}
