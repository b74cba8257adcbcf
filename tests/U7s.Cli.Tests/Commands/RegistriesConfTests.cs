using U7s.Cli.Wiring;
using U7s.Oci;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// The mirror entries of a registries.conf as <c>save-oci --kubernetes --registries-conf</c> reads them, and where
/// <see cref="UpstreamRegistries"/> then reads each upstream name: <c>--mirror</c> first, then the longest prefix.
/// </summary>
public sealed class RegistriesConfTests
{
    private const string Conf = """
        unqualified-search-registries = ["docker.io"]   # skipped
        short-name-mode = "enforcing"

        [[registry]]
        prefix = "registry.k8s.io"
        location = "registry.k8s.io"
        [[registry.mirror]]
        location = "mirror.example:5000/by-digest"
        mirror-by-digest-only = true
        [[registry.mirror]]
        location = "mirror.example:5000/k8s"   # a comment
        insecure = true

        [[registry]]
        prefix = "registry.k8s.io/coredns"
        location = "coredns.example/dns"

        [[registry]]
        location = "docker.io"
        [[registry.mirror]]
        location = 'hub-mirror.example'

        [[registry]]
        prefix = "quay.io"
        blocked = true

        [aliases]
        "pause" = "registry.k8s.io/pause"
        """;

    [Fact]
    public void Parse_FirstTagMirror_ElseTheLocation_PrefixDefaultsToLocation()
    {
        var rules = RegistriesConf.Parse(Conf, "test.conf");

        Assert.Equal(
            [
                new RegistryRewrite("registry.k8s.io", "mirror.example:5000/k8s", Insecure: true),
                new RegistryRewrite("registry.k8s.io/coredns", "coredns.example/dns", Insecure: false),
                new RegistryRewrite("docker.io", "hub-mirror.example", Insecure: false),
                new RegistryRewrite("quay.io", "quay.io", Insecure: false, Blocked: true),
            ],
            rules);
    }

    [Theory]
    [InlineData("registry.k8s.io/pause:3.9", "http://mirror.example:5000/", "k8s/pause")]
    [InlineData("registry.k8s.io/coredns/coredns:v1.10.1", "https://coredns.example/", "dns/coredns")]
    [InlineData("docker.io/flannel/flannel:v0.21.4", "https://hub-mirror.example/", "flannel/flannel")]
    [InlineData("docker.io/busybox:1", "https://hub-mirror.example/", "library/busybox")]
    [InlineData("registry.k8s.io.evil.example/pause:3.9", "https://registry.k8s.io.evil.example/", "pause")]
    [InlineData("ghcr.io/a/b:1", "https://ghcr.io/", "a/b")]
    public void Resolve_LongestPrefixOnAPathBoundary(string image, string baseUri, string repository)
    {
        using var http = new HttpClient();
        var registries = new UpstreamRegistries(http, new Dictionary<string, Uri>(), RegistriesConf.Parse(Conf, "test.conf"));

        var source = registries.Resolve(Reference.Parse(image));

        Assert.Equal(new Uri(baseUri), source.Client.BaseUri);
        Assert.Equal(repository, source.Repository.Value);
    }

    [Fact]
    public void Resolve_MirrorOptionWinsOverTheFile_BlockedIsRefused()
    {
        using var http = new HttpClient();
        var registries = new UpstreamRegistries(http, UpstreamRegistries.ParseMirrors(["registry.k8s.io=http://127.0.0.1:5000"]), RegistriesConf.Parse(Conf, "test.conf"));

        var source = registries.Resolve(Reference.Parse("registry.k8s.io/coredns/coredns:v1.10.1"));
        var blocked = Assert.Throws<U7s.Loader.Loading.LoadException>(() => registries.Resolve(Reference.Parse("quay.io/a/b:1")));

        Assert.Equal(new Uri("http://127.0.0.1:5000/"), source.Client.BaseUri);
        Assert.Equal("coredns/coredns", source.Repository.Value);
        Assert.Contains("registries.conf blocks quay.io/a/b", blocked.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("user:pw@mirror.example")]
    [InlineData("mirror.example?x=1")]
    [InlineData("mirror.example#x")]
    [InlineData("mirror.example/UPPER")]
    public void Resolve_LocationThatIsNotHostAndRepository_Refused(string location)
    {
        using var http = new HttpClient();
        var registries = new UpstreamRegistries(http, new Dictionary<string, Uri>(), [new RegistryRewrite("registry.k8s.io", location, Insecure: true)]);

        var e = Assert.Throws<U7s.Loader.Loading.LoadException>(() => registries.Resolve(Reference.Parse("registry.k8s.io/pause:3.9")));

        Assert.Contains("which is not host/repository", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[[registry.mirror]]\nlocation = \"m\"", "test.conf:1: [[registry.mirror]] before any [[registry]]")]
    [InlineData("[[registry]]\nlocation = registry.k8s.io", "test.conf:2: expected key = \"value\", true or false")]
    [InlineData("[[registry]]\ninsecure = true", "test.conf: a [[registry]] needs a prefix or a location")]
    [InlineData("[[registry]]\nprefix = \"*.example.com\"\nlocation = \"m.example\"", "wildcard prefix '*.example.com' is not supported")]
    public void Parse_MalformedRegistryEntry_OneLineUsage(string text, string expected)
    {
        var e = Assert.Throws<UserException>(() => RegistriesConf.Parse(text, "test.conf"));

        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
