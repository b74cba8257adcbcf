using System.Text;
using U7s.Oci.Policy;

namespace U7s.Oci.Tests.Policy;

public sealed class PolicyParserTests
{
    [Fact]
    public void Parse_SeedAndImagemakerPolicies()
    {
        var seed = PolicyParser.Parse("""{ "default": [ { "type": "reject" } ], "transports": { "docker": {} } }"""u8);
        var one = PolicyParser.Parse("""
            {
              "default": [ { "type": "reject" } ],
              "transports": { "docker": { "registry.local": [
                { "type": "signedBy", "keyType": "GPGKeys", "keyPath": "/var/sigstore/keys/imagemaker.pgp" } ] } }
            }
            """u8);

        Assert.Equal(RequirementType.Reject, Assert.Single(seed.Default).Type);
        Assert.Empty(seed.Transports["docker"]);
        var signedBy = Assert.Single(one.Transports["docker"]["registry.local"]);
        Assert.Equal(RequirementType.SignedBy, signedBy.Type);
        Assert.Equal(["/var/sigstore/keys/imagemaker.pgp"], signedBy.KeyPaths);
        Assert.Equal(SignedIdentity.Default, signedBy.Identity);
    }

    [Fact]
    public void Parse_AllIdentityForms()
    {
        var policy = PolicyParser.Parse("""
            {"default":[{"type":"insecureAcceptAnything"}],"transports":{"docker":{
              "a.example":[{"type":"signedBy","keyType":"GPGKeys","keyPaths":["/k1","/k2.asc"],"signedIdentity":{"type":"matchExact"}}],
              "b.example":[{"type":"signedBy","keyType":"GPGKeys","keyData":"AAEC","signedIdentity":{"type":"matchRepository"}}],
              "c.example":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"exactReference","dockerReference":"c.example/x:1"}}],
              "d.example":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"exactRepository","dockerRepository":"d.example/x"}}],
              "e.example":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"remapIdentity","prefix":"e.example","signedPrefix":"registry.local"}}],
              "f.example":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"matchRepoDigestOrExact"}}],
              "g.example":[{"type":"signedBaseLayer","baseLayerIdentity":{"type":"matchExact"}}],
              "":[{"type":"reject"}]
            },"atomic":{}}}
            """u8);

        var scopes = policy.Transports["docker"];
        Assert.Equal(new SignedIdentity(SignedIdentityType.MatchExact), scopes["a.example"][0].Identity);
        Assert.Equal(["/k1", "/k2.asc"], scopes["a.example"][0].KeyPaths);
        Assert.Equal([0, 1, 2], scopes["b.example"][0].KeyData);
        Assert.Equal(new SignedIdentity(SignedIdentityType.ExactReference, "c.example/x:1"), scopes["c.example"][0].Identity);
        Assert.Equal(new SignedIdentity(SignedIdentityType.ExactRepository, "d.example/x"), scopes["d.example"][0].Identity);
        Assert.Equal(new SignedIdentity(SignedIdentityType.RemapIdentity, "e.example", "registry.local"), scopes["e.example"][0].Identity);
        Assert.Equal(RequirementType.SignedBaseLayer, scopes["g.example"][0].Type);
        Assert.Equal(RequirementType.Reject, scopes[""][0].Type);
    }

    [Theory]
    [InlineData("""{"transports":{}}""", "no \"default\"")]
    [InlineData("""{"default":[]}""", "no policy requirements")]
    [InlineData("""{"default":[{"type":"reject"}],"extra":1}""", "unknown field \"extra\"")]
    [InlineData("""{"default":[{"type":"reject"}],"default":[{"type":"reject"}]}""", "duplicate field \"default\"")]
    [InlineData("""{"default":[{"type":"reject","x":1}]}""", "unknown field \"x\"")]
    [InlineData("""{"default":[{"type":"nope"}]}""", "unknown policy requirement type")]
    [InlineData("""{"default":[{}]}""", "missing \"type\"")]
    [InlineData("""{"default":[{"type":"signedBy","keyPath":"/k"}]}""", "keyType is required")]
    [InlineData("""{"default":[{"type":"signedBy","keyType":"PGP","keyPath":"/k"}]}""", "unknown key type")]
    [InlineData("""{"default":[{"type":"signedBy","keyType":"GPGKeys"}]}""", "exactly one of keyPath")]
    [InlineData("""{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","keyData":"AA=="}]}""", "exactly one of keyPath")]
    [InlineData("""{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPaths":[]}]}""", "keyPaths is empty")]
    [InlineData("""{"default":[{"type":"signedBy","keyType":"GPGKeys","keyData":"!!"}]}""", "not base64")]
    [InlineData("""{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","keyPath":"/j"}]}""", "duplicate field \"keyPath\"")]
    [InlineData("""{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"matchAll"}}]}""", "unknown signedIdentity type")]
    [InlineData("""{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"exactReference","dockerReference":"r.local/x"}}]}""", "neither")]
    [InlineData("""{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"matchExact","x":1}}]}""", "unknown field \"x\"")]
    [InlineData("""{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"remapIdentity","prefix":"a.b"}}]}""", "needs prefix and signedPrefix")]
    [InlineData("""{"default":[{"type":"reject"}],"transports":{"docker":{"a":[{"type":"reject"}],"a":[{"type":"reject"}]}}}""", "duplicate field \"a\"")]
    [InlineData("""{"default":[{"type":"reject"}],"transports":{"docker":{"a":[]}}}""", "no policy requirements")]
    [InlineData("""{"default":[{"type":"reject"}],"transports":{"docker":{"a":{"type":"reject"}}}}""", "not an array")]
    [InlineData("""{"default":[{"type":"reject"}]""", "invalid policy JSON")]
    public void Parse_Rejects(string json, string expected)
    {
        var e = Assert.Throws<PolicyException>(() => PolicyParser.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Contains(expected.Replace("neither", "not a reference with a tag or digest"), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scopes_MostSpecificFirst_PortStrippedForWildcards()
    {
        Assert.True(DockerReference.TryParse("registry.example.com:5000/ns/sub/app:v1", out var reference));

        Assert.Equal(
            ["registry.example.com:5000/ns/sub/app:v1", "registry.example.com:5000/ns/sub/app", "registry.example.com:5000/ns/sub", "registry.example.com:5000/ns",
                "registry.example.com:5000", "*.example.com", "*.com"],
            PolicyScopes.For(reference!));
    }

    [Fact]
    public void RequirementsFor_FirstHitWins_PortIsSignificant()
    {
        var policy = PolicyParser.Parse("""
            {"default":[{"type":"reject"}],"transports":{"docker":{
              "localhost:5100":[{"type":"insecureAcceptAnything"}],
              "127.0.0.1:5100/ns/unsigned":[{"type":"insecureAcceptAnything"}],
              "127.0.0.1:5100":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k"}],
              "*.example.test":[{"type":"insecureAcceptAnything"}]
            }}}
            """u8);

        Assert.Equal("127.0.0.1:5100/ns/unsigned", Scope(policy, "127.0.0.1:5100/ns/unsigned:v1"));
        Assert.Equal("127.0.0.1:5100", Scope(policy, "127.0.0.1:5100/ns/app:v1"));
        Assert.Equal("default", Scope(policy, "127.0.0.1:5101/ns/app:v1"));
        Assert.Equal("*.example.test", Scope(policy, "r.example.test:443/x:1"));
        Assert.Equal("default", Scope(policy, "docker.io/library/busybox:1"));
    }

    private static string Scope(PolicyDocument policy, string reference)
    {
        Assert.True(DockerReference.TryParse(reference, out var r));
        return policy.RequirementsFor(r!).Scope;
    }
}
