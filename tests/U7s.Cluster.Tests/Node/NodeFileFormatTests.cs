using U7s.Cluster.Node;

namespace U7s.Cluster.Tests.Node;

public sealed class NodeFileFormatTests
{
    [Theory]
    [InlineData(null, "[engine]\ninfra_image = \"p:1\"\n")]
    [InlineData("", "[engine]\ninfra_image = \"p:1\"\n")]
    [InlineData("[engine]", "[engine]\ninfra_image = \"p:1\"\n")]
    [InlineData("a = 1", "a = 1\n\n[engine]\ninfra_image = \"p:1\"\n")]
    [InlineData("[engine]\n  infra_image = \"old\" # comment\n", "[engine]\ninfra_image = \"p:1\"\n")]
    [InlineData("[network]\ninfra_image = \"other\"\n[engine]\nx = 1\n", "[network]\ninfra_image = \"other\"\n[engine]\ninfra_image = \"p:1\"\nx = 1\n")]
    [InlineData("[engine.runtimes]\ncrun = []\n", "[engine.runtimes]\ncrun = []\n\n[engine]\ninfra_image = \"p:1\"\n")]
    public void TomlSetString_KeepsEverythingElse(string? existing, string expected) =>
        Assert.Equal(expected, TomlTables.SetString(existing, "engine", "infra_image", "p:1"));

    [Theory]
    [InlineData("[crio.image]\npause_image = \"a:1\"\n", "a:1")]
    [InlineData("[crio.image]\npause_image = 'b:2' # literal\n", "b:2")]
    [InlineData("[crio.runtime]\npause_image = \"c:3\"\n", null)]
    [InlineData("[crio.image]\n#pause_image = \"d:4\"\n", null)]
    public void TomlGetString_ReadsOnlyTheTable(string text, string? expected) =>
        Assert.Equal(expected, TomlTables.GetString(text, "crio.image", "pause_image"));

    [Theory]
    [InlineData("", "[[registry]]\nlocation = \"registry.local\"\ninsecure = true\n")]
    [InlineData("[[registry]]\nlocation = \"registry.local\"\ninsecure = true\n", "[[registry]]\nlocation = \"registry.local\"\ninsecure = true\n")]
    [InlineData("[[registry]]\nlocation = \"registry.local:5000\"\n", "[[registry]]\nlocation = \"registry.local:5000\"\n\n[[registry]]\nlocation = \"registry.local\"\ninsecure = true\n")]
    public void RegistriesConf_AppendedOnce(string existing, string expected) =>
        Assert.Equal(expected, RegistriesConf.Apply(existing, "registry.local"));

    [Theory]
    [InlineData("default-docker:\n  lookaside: http://x/\n", null)]
    [InlineData("default-docker:\n  lookaside: http://x/\n  lookasid: http://y/\n", "unknown key lookasid")]
    [InlineData("docker:\n  registry.local:\n    sigstore: not-a-url\n", "must be an absolute URL")]
    [InlineData("default-dokcer:\n  lookaside: http://x/\n", "unknown top-level key")]
    [InlineData("default-docker: [", "not valid YAML")]
    public void RegistriesD_Validate(string yaml, string? problem)
    {
        if (problem is null)
        {
            RegistriesD.Validate(yaml);
            return;
        }

        var e = Assert.Throws<InvalidDataException>(() => RegistriesD.Validate(yaml));
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"default":[{"type":"reject"}]}""", null)]
    [InlineData("""{"default":[]}""", "no policy requirements")]
    [InlineData("""{"transports":{}}""", "no \"default\"")]
    [InlineData("""{"default":[{"type":"reject"}],"default":[{"type":"reject"}]}""", "duplicate field \"default\"")]
    [InlineData("""{"default":[{"type":"signedBy","keyType":"GPGKeys"}]}""", "exactly one of keyPath, keyPaths and keyData")]
    [InlineData("""{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/a","keyData":"YQ=="}]}""", "exactly one of keyPath, keyPaths and keyData")]
    [InlineData("""{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPaths":[]}]}""", "keyPaths is empty")]
    [InlineData("""{"default":[{"type":"reject","extra":1}]}""", "unknown field \"extra\"")]
    [InlineData("""{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/a","signedIdentity":{"type":"remapIdentity","prefix":"a"}}]}""", "needs prefix and signedPrefix")]
    [InlineData("""{"default":[{"type":"insecureAcceptAnything"}],"transports":{"docker":{"r.local":[]}}}""", "transports.docker[\"r.local\"]: no policy requirements")]
    [InlineData("""{"default":[{"type":"acceptAll"}]}""", "unknown policy requirement type")]
    // What the signers file is read with decides too: a key type or keyData nodes refuse is refused here as well.
    [InlineData("""{"default":[{"type":"signedBy","keyType":"PGP","keyPath":"/a"}]}""", "unknown key type \"PGP\"")]
    [InlineData("""{"default":[{"type":"signedBy","keyType":"GPGKeys","keyData":"!!"}]}""", "keyData is not base64")]
    public void Validate_TheOneGrammar_InvalidDataWithTheFirstProblem(string json, string? problem)
    {
        if (problem is null)
        {
            EditablePolicy.Validate(json);
            return;
        }

        var e = Assert.Throws<InvalidDataException>(() => EditablePolicy.Validate(json));
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithSigner_ScopeWithOtherRequirements_Refused()
    {
        var policy = EditablePolicy.Parse("""{"default":[{"type":"reject"}],"transports":{"docker":{"registry.local":[{"type":"insecureAcceptAnything"}]}}}""");

        var e = Assert.Throws<ClusterException>(() => policy.WithSigner("registry.local", "/var/sigstore/keys/a.pgp"));

        Assert.Equal(ClusterErrorKind.Refused, e.Kind);
    }

    [Theory]
    [InlineData("registry.local/k8s-c10f1/pause:3.9", "http://ns/")]
    [InlineData("registry.local/k8s-c10f1/etcd:3.5.6-0", "http://etcd-tag/")]
    [InlineData("registry.local/k8s-c10f1/coredns@sha256:0000000000000000000000000000000000000000000000000000000000000000", "http://ns/")]
    [InlineData("registry.local/other/x:1", "http://host/")]
    [InlineData("127.0.0.1:5000/k8s-c10f1/pause:3.9", "http://default/")]
    public void RegistriesD_LookasideFor_MostSpecificScopeThenDefault(string reference, string expected)
    {
        string[] files =
        [
            "default-docker:\n  sigstore: http://default/\n",
            "docker:\n  registry.local:\n    sigstore: http://host/\n  registry.local/k8s-c10f1:\n    lookaside: http://ns/\n    sigstore: http://ns-legacy/\n"
                + "  registry.local/k8s-c10f1/etcd:3.5.6-0:\n    lookaside: http://etcd-tag/\n",
        ];

        Assert.Equal(new Uri(expected), RegistriesD.LookasideFor(files, reference));
    }

    [Fact]
    public void RegistriesD_LookasideFor_NothingConfigured_Null() =>
        Assert.Null(RegistriesD.LookasideFor(["docker:\n  other.example:\n    lookaside: http://o/\n"], "registry.local/a/b:1"));

    [Fact]
    public void RegistriesD_LookasideFor_ScopeInTwoFiles_Refused()
    {
        var e = Assert.Throws<InvalidDataException>(() => RegistriesD.LookasideFor(["default-docker:\n  lookaside: http://a/\n", "default-docker:\n  lookaside: http://b/\n"], "r.local/a:1"));
        Assert.Contains("more than one file", e.Message, StringComparison.Ordinal);
    }
}
