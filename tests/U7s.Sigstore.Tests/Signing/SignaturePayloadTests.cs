using System.Text;
using U7s.Oci;
using U7s.Sigstore.Signing;

namespace U7s.Sigstore.Tests.Signing;

public sealed class SignaturePayloadTests
{
    private const string Hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public void ToJsonBytes_WritesCompactSortedJsonWithoutNewline()
    {
        var payload = new SignaturePayload("registry.local/k8s-c10f1/pause:3.9", Digest.Parse("sha256:" + Hex), "u7s 1.0.0", 1684820605);

        var json = Encoding.UTF8.GetString(payload.ToJsonBytes());

        Assert.Equal(
            "{\"critical\":{\"identity\":{\"docker-reference\":\"registry.local/k8s-c10f1/pause:3.9\"},\"image\":{\"docker-manifest-digest\":\"sha256:" + Hex
            + "\"},\"type\":\"atomic container signature\"},\"optional\":{\"creator\":\"u7s 1.0.0\",\"timestamp\":1684820605}}",
            json);
    }

    [Fact]
    public void ToJsonBytes_RoundTripsThroughStrictParser()
    {
        var payload = new SignaturePayload("h.example/a/b:v1+x", Digest.Parse("sha256:" + Hex), "u7s <1>", 7);

        Assert.True(SignaturePayloadParser.TryParse(payload.ToJsonBytes(), out var parsed, out var error), error);
        Assert.Equal(payload, parsed);
    }

    public static TheoryData<string, string?> Cases => new()
    {
        // Accepted forms.
        { """{"critical":{"identity":{"docker-reference":"r.local/a:1"},"image":{"docker-manifest-digest":"sha256:H"},"type":"atomic container signature"},"optional":{}}""", null },
        { """{ "optional": {"timestamp": 1e9, "creator": "x"},  "critical": { "type": "atomic container signature", "image": {"docker-manifest-digest":"sha256:H"}, "identity": {"docker-reference":"r.local/a:1"} } }""", null },
        { """{"critical":{"identity":{"docker-reference":"r.local/a:1"},"image":{"docker-manifest-digest":"sha256:H"},"type":"atomic container signature"},"optional":{"unknown":[1,{"a":2}],"creator":"c"}}""", null },
        { """{"critical":{"identity":{"docker-reference":"r.local/a:1"},"image":{"docker-manifest-digest":"sha256:H"},"type":"atomic container signature"},"optional":null}""", null },
        // Rejected forms.
        { """{"critical":{"identity":{"docker-reference":"r.local/a:1"},"image":{"docker-manifest-digest":"sha256:H"},"type":"atomic container signature"}}""", "missing field \"optional\"" },
        { """{"critical":{"identity":{"docker-reference":"r.local/a:1"},"image":{"docker-manifest-digest":"sha256:H"},"type":"atomic container signature"},"optional":{},"extra":1}""", "unexpected field \"extra\"" },
        { """{"critical":{"identity":{"docker-reference":"r.local/a:1"},"image":{"docker-manifest-digest":"sha256:H"},"type":"atomic container signature","x":1},"optional":{}}""", "unexpected field \"x\" in critical" },
        { """{"critical":{"identity":{"docker-reference":"r.local/a:1","x":1},"image":{"docker-manifest-digest":"sha256:H"},"type":"atomic container signature"},"optional":{}}""", "unexpected field \"x\" in critical.identity" },
        { """{"critical":{"identity":{"docker-reference":"r.local/a:1"},"image":{"docker-manifest-digest":"sha256:H","x":1},"type":"atomic container signature"},"optional":{}}""", "unexpected field \"x\" in critical.image" },
        { """{"critical":{"identity":{"docker-reference":"r.local/a:1"},"image":{"docker-manifest-digest":"sha256:H"}},"optional":{}}""", "missing field \"type\"" },
        { """{"critical":{"identity":{},"image":{"docker-manifest-digest":"sha256:H"},"type":"atomic container signature"},"optional":{}}""", "missing field \"docker-reference\"" },
        { """{"critical":{"identity":{"docker-reference":"r.local/a:1"},"image":{"docker-manifest-digest":"sha256:H"},"type":"atomic container signatures"},"optional":{}}""", "unrecognized signature type" },
        { """{"critical":{"identity":{"docker-reference":"r.local/a:1"},"image":{"docker-manifest-digest":"sha256:H"},"type":"atomic container signature"},"optional":{},"optional":{}}""", "duplicate key \"optional\"" },
        { """{"critical":{"identity":{"docker-reference":"r.local/a:1"},"image":{"docker-manifest-digest":"sha256:H"},"type":"atomic container signature"},"optional":{"x":{"a":1,"a":2}}}""", "duplicate key \"a\"" },
        { """{"critical":{"identity":{"docker-reference":"r.local/a:1","docker-reference":"r.local/a:2"},"image":{"docker-manifest-digest":"sha256:H"},"type":"atomic container signature"},"optional":{}}""", "duplicate key \"docker-reference\"" },
        { """{"critical":{"identity":{"docker-reference":"r.local/a:1"},"image":{"docker-manifest-digest":"sha256:H"},"type":"atomic container signature"},"optional":{"timestamp":1.5}}""", "not an integer" },
        { """{"critical":{"identity":{"docker-reference":"r.local/a:1"},"image":{"docker-manifest-digest":"sha256:H"},"type":"atomic container signature"},"optional":{"timestamp":"1"}}""", "not a number" },
        { """{"critical":{"identity":{"docker-reference":"r.local/a:1"},"image":{"docker-manifest-digest":"sha256:H"},"type":"atomic container signature"},"optional":{"creator":5}}""", "not a string" },
        { """{"critical":{"identity":{"docker-reference":"r.local/a:1"},"image":{"docker-manifest-digest":"sha256:H"},"type":"atomic container signature"},"optional":{"timestamp":1e400}}""", "not an integer" },
        { """{"critical":{"identity":{"docker-reference":"r.local/a:1"},"image":{"docker-manifest-digest":"sha256:XYZ"},"type":"atomic container signature"},"optional":{}}""", "not a valid digest" },
        { """{"critical":{"identity":{"docker-reference":5},"image":{"docker-manifest-digest":"sha256:H"},"type":"atomic container signature"},"optional":{}}""", "not a string" },
        { """{"critical":[],"optional":{}}""", "critical is not a JSON object" },
        { """[]""", "signature is not a JSON object" },
        { """{"critical":{"identity":{"docker-reference":"r.local/a:1"},"image":{"docker-manifest-digest":"sha256:H"},"type":"atomic container signature"},"optional":{}} x""", "invalid signature payload JSON" },
        { """not json""", "invalid signature payload JSON" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TryParse_FollowsStrictRules(string json, string? expectedError)
    {
        var ok = SignaturePayloadParser.TryParse(Encoding.UTF8.GetBytes(json.Replace("sha256:H", "sha256:" + Hex)), out var payload, out var error);

        if (expectedError is null)
        {
            Assert.True(ok, error);
            Assert.Equal("r.local/a:1", payload!.DockerReference);
            Assert.Equal("sha256:" + Hex, payload.ManifestDigest.ToString());
        }
        else
        {
            Assert.False(ok);
            Assert.Contains(expectedError, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TryParse_TimestampExponent_IsIntegral()
    {
        var json = """{"critical":{"identity":{"docker-reference":"r.local/a:1"},"image":{"docker-manifest-digest":"sha256:H"},"type":"atomic container signature"},"optional":{"timestamp":1e9}}""";

        Assert.True(SignaturePayloadParser.TryParse(Encoding.UTF8.GetBytes(json.Replace("sha256:H", "sha256:" + Hex)), out var payload, out _));
        Assert.Equal(1_000_000_000, payload!.Timestamp);
    }

    /// <summary>The payload with the byte 0xFF (never valid UTF-8) where <paramref name="json"/> has a '~'.</summary>
    private static byte[] WithInvalidByte(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json.Replace("sha256:H", "sha256:" + Hex));
        bytes[Array.IndexOf(bytes, (byte)'~')] = 0xFF;
        return bytes;
    }

    [Theory]
    [InlineData("""{"critical":{"identity":{"docker-reference":"r.local/a:1"},"image":{"docker-manifest-digest":"sha256:H"},"type":"atomic container signature"},"optional":{"creator":"u7s ~"}}""", null, "u7s \uFFFD")]
    [InlineData("""{"critical":{"identity":{"docker-reference":"r.local/a:1"},"image":{"docker-manifest-digest":"sha256:H"},"type":"atomic container signature"},"optional":{"~nknown":1}}""", null, "r.local/a:1")]
    [InlineData("""{"critical":{"identity":{"docker-reference":"~.local/a:1"},"image":{"docker-manifest-digest":"sha256:H"},"type":"atomic container signature"},"optional":{}}""", null, "\uFFFD.local/a:1")]
    [InlineData("""{"~ritical":{"identity":{"docker-reference":"r.local/a:1"},"image":{"docker-manifest-digest":"sha256:H"},"type":"atomic container signature"},"optional":{}}""", "unexpected field \"\uFFFDritical\" in signature", null)]
    [InlineData("""{"critical":{"identity":{"docker-reference":"r.local/a:1"},"image":{"docker-manifest-digest":"sha256:H"},"type":"atomic container signature"},"optional":{}~""", "invalid signature payload JSON", null)]
    public void TryParse_InvalidUtf8_ReadsAsGoDoes_NeverThrows(string json, string? expectedError, string? expectedCreatorOrIdentity)
    {
        // Go's decoder (containers/image) reads an invalid byte inside a string as U+FFFD and fails on one outside strings.
        var ok = SignaturePayloadParser.TryParse(WithInvalidByte(json), out var payload, out var error);

        if (expectedError is null)
        {
            // Accepted as containers/image accepts it; an identity with U+FFFD then matches no reference.
            Assert.True(ok, error);
            Assert.Equal(expectedCreatorOrIdentity, payload!.Creator ?? payload.DockerReference);
        }
        else
        {
            Assert.False(ok);
            Assert.Contains(expectedError, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TryParse_ByteOrderMark_IsRefusedAsGoDoes()
    {
        var json = Encoding.UTF8.GetBytes("""{"critical":{"identity":{"docker-reference":"r.local/a:1"},"image":{"docker-manifest-digest":"sha256:H"},"type":"atomic container signature"},"optional":{}}""".Replace("sha256:H", "sha256:" + Hex));

        Assert.True(SignaturePayloadParser.TryParse(json, out _, out _));
        Assert.False(SignaturePayloadParser.TryParse([0xEF, 0xBB, 0xBF, .. json], out _, out var error));
        Assert.Contains("byte-order mark", error, StringComparison.Ordinal);
    }
}
