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

    /// <summary>
    /// Where the two readers U7s had disagreed (the signature side's parser and the node verbs' validator), the one
    /// grammar now rules as containers/image does (<c>signature/policy_config.go</c>): a <c>null</c> is never read as
    /// "not given" for these fields, a key type or keyData nodes cannot use is refused, identity rules are checked.
    /// </summary>
    [Theory]
    // The signature side took these as absent or empty; containers/image (and the validator) refuse them.
    [InlineData("""{"default":[{"type":"reject"}],"transports":null}""", "transports is not a JSON object")]
    [InlineData("""{"default":[{"type":"reject"}],"transports":{"docker":null}}""", "transports.docker is not a JSON object")]
    [InlineData("""{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":null}]}""", "signedIdentity: not a JSON object")]
    [InlineData("""{"default":[{"type":"signedBy","keyType":"GPGKeys","keyData":null}]}""", "keyData is null")]
    // The validator took these; containers/image (and the signature side) refuse them.
    [InlineData("""{"default":[{"type":"signedBy","keyType":"gpgkeys","keyPath":"/k"}]}""", "unknown key type \"gpgkeys\"")]
    [InlineData("""{"default":[{"type":"signedBy","keyType":"GPGKeys","keyData":"not base64"}]}""", "keyData is not base64")]
    [InlineData("""{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"exactReference","dockerReference":"r.local/x"}}]}""", "not a reference with a tag or digest")]
    [InlineData("""{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"exactRepository","dockerRepository":"R.local/X"}}]}""", "not a repository name")]
    [InlineData("""{"default":[{"type":"signedBaseLayer","baseLayerIdentity":{"type":"matchNothing"}}]}""", "unknown signedIdentity type")]
    [InlineData("""{"default":[{"type":"sigstoreSigned","keyPath":"/k","signedIdentity":{"type":"matchRepository","x":1}}]}""", "unknown field \"x\"")]
    // Both took these; containers/image refuses them.
    [InlineData("""{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":""}]}""", "keyPath is empty")]
    [InlineData("""{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"remapIdentity","prefix":"r.local/NS","signedPrefix":"r.local"}}]}""", "prefix \"r.local/NS\" is not a host")]
    [InlineData("""{"default":[{"type":"sigstoreSigned","keyPath":"/k","fulcio":{"a":1,"a":2}}]}""", "duplicate field \"a\"")]
    public void Parse_RulesTheTwoReadersDisagreedOn_AsContainersImage(string json, string expected)
    {
        var e = Assert.Throws<PolicyException>(() => PolicyParser.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("r.local", "mirror.example:5000")]
    [InlineData("r.local/ns", "mirror.example/team/ns")]
    [InlineData("localhost", "a")]
    public void Parse_RemapIdentityPrefixes_HostsAndNamesUnderAHost(string prefix, string signedPrefix)
    {
        var policy = PolicyParser.Parse(Encoding.UTF8.GetBytes(
            $$$"""{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"remapIdentity","prefix":"{{{prefix}}}","signedPrefix":"{{{signedPrefix}}}"}}]}"""));

        Assert.Equal(new SignedIdentity(SignedIdentityType.RemapIdentity, prefix, signedPrefix), policy.Default[0].Identity);
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
