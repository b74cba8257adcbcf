using U7s.Loader.Loading;
using U7s.Loader.Names;

namespace U7s.Loader.Tests.Names;

public sealed class NameMapperTests
{
    [Theory]
    [InlineData("k8s-c10f1/kube-apiserver:v1.26.3", null, "registry.local/k8s-c10f1/kube-apiserver:v1.26.3", false)]
    [InlineData("k8s-c10f1/pause:3.9", "registry.local/test/k8s-c10f1", "registry.local/test/k8s-c10f1/pause:3.9", false)]
    [InlineData("extra/tool:1.0", null, "registry.local/extra/tool:1.0", true)]
    [InlineData("k8s-c10f1/coredns:v1.9.3", "localhost/k8s-c10f1", "localhost/k8s-c10f1/coredns:v1.9.3", false)]
    [InlineData("k8s-c10f1/etcd:3.5.6-0", "registry.local:5000/k8s-c10f1", "registry.local:5000/k8s-c10f1/etcd:3.5.6-0", false)]
    [InlineData("k8s-c10f1/pause:3.9", "registry.local/other", "registry.local/k8s-c10f1/pause:3.9", true)]
    public void Map_SpecTable_GivesRegistryReference(string refName, string? target, string expected, bool additional)
    {
        Assert.True(RefName.TryParse(refName, out var parsed));
        var image = NameMapper.Create(target, "k8s-c10f1", null).Map(parsed);
        Assert.Equal(expected, image.Target.ToString());
        Assert.Equal(additional, image.Additional);
    }

    [Theory]
    [InlineData("registry.local", "missing path after registry name")]
    [InlineData("registry/k8s-c10f1", "not a registry host name")]
    [InlineData("registry.local/K8s", "lowercase repository path")]
    [InlineData("bad_host.local/k8s", "invalid target")]
    public void Create_InvalidTarget_FailsWithInvalidTarget(string target, string message)
    {
        var e = Assert.Throws<LoadException>(() => NameMapper.Create(target, "k8s-c10f1", null));
        Assert.Equal(LoadErrorKind.InvalidTarget, e.Kind);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckPlatform_OneEntryCarriesPlatform_Passes()
    {
        var mapper = NameMapper.Create(null, "k8s-c10f1", null);
        mapper.CheckPlatform([Ref("extra/tool:1.0"), Ref("k8s-c10f1/pause:3.9")]);
    }

    [Fact]
    public void CheckPlatform_NoEntryCarriesPlatform_FailsNamingBoth()
    {
        var mapper = NameMapper.Create(null, "k8s-c10f1", null);
        var e = Assert.Throws<LoadException>(() => mapper.CheckPlatform([Ref("p10/pause:3.9"), Ref("p10/etcd:3.5.6-0")]));
        Assert.Equal(LoadErrorKind.PlatformMismatch, e.Kind);
        Assert.Contains("'p10'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'k8s-c10f1'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Map_ExplicitArchivePlatform_RehomesUnderTarget()
    {
        var mapper = NameMapper.Create(null, "k8s-c10f1", "p10");
        mapper.CheckPlatform([Ref("p10/pause:3.9")]);
        Assert.Equal("registry.local/k8s-c10f1/pause:3.9", mapper.Map(Ref("p10/pause:3.9")).Target.ToString());
    }

    [Theory]
    [InlineData("k8s-c10f1/kube-apiserver:v1.26.3", true)]
    [InlineData("k8s-c10f1/etcd:3.5.6-0", true)]
    [InlineData("a/b--c/d:1", true)]
    [InlineData("A/B:Tag", true)]
    [InlineData("k8s-c10f1/pause", false)]
    [InlineData("k8s-c10f1/pause:", false)]
    [InlineData("/pause:3.9", false)]
    [InlineData("k8s-c10f1//pause:3.9", false)]
    [InlineData("k8s-c10f1/pa use:3.9", false)]
    [InlineData("k8s-c10f1/-pause:3.9", false)]
    [InlineData("", false)]
    public void RefName_Grammar(string value, bool valid) => Assert.Equal(valid, RefName.TryParse(value, out _));

    private static RefName Ref(string value) => RefName.TryParse(value, out var r) ? r : throw new ArgumentException(value);
}
