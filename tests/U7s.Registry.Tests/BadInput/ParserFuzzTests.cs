using System.Text;
using U7s.Oci;
using U7s.Registry.Blobs;
using U7s.Registry.Http;
using U7s.Registry.Manifests;

namespace U7s.Registry.Tests.BadInput;

/// <summary>
/// Randomised inputs for every parser at the registry's edge: mutations of valid values (flips,
/// truncations, insertions, splices). A bounded, seeded run: the only allowed failures are the
/// parser's own (false, or an <see cref="OciException"/>), never a crash.
/// </summary>
public sealed class ParserFuzzTests
{
    private const int Iterations = 3000;

    private static readonly byte[] Interesting = Encoding.UTF8.GetBytes("{}[]\":,/.@-_0a\\\u0000");

    private static readonly string ValidManifest =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":2},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":10}],\"subject\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":1},\"annotations\":{\"a\":\"b\"}}";

    private static readonly string ValidIndex =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":7,\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}";

    [Fact]
    public void ManifestParser_Mutations_OnlyManifestErrors()
    {
        var random = new Random(1);
        var parsed = 0;
        foreach (var seed in new[] { ValidManifest, ValidIndex })
        {
            for (var i = 0; i < Iterations; i++)
            {
                var input = Mutate(random, Encoding.UTF8.GetBytes(seed));
                try
                {
                    ManifestParser.Parse(input, random.Next(3) switch { 0 => null, 1 => MediaTypes.OciManifest, _ => MediaTypes.OciIndex });
                    parsed++;
                }
                catch (OciException e)
                {
                    Assert.True(e.Code is OciErrorCode.ManifestInvalid, e.Code.ToString());
                }
            }
        }

        // Some mutations (e.g. inside a string value) stay valid: the fuzzer reaches both outcomes.
        Assert.InRange(parsed, 1, 2 * Iterations - 1);
    }

    [Fact]
    public void Grammars_Mutations_NeverThrow()
    {
        var random = new Random(2);
        string[] seeds = ["sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "registry.local/k8s-c10f1/pause:3.9", "127.0.0.1:5000/a/b@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "a.b_c__d-e/f", "v1.26.3"];
        var accepted = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var text = Encoding.UTF8.GetString(Mutate(random, Encoding.UTF8.GetBytes(seeds[i % seeds.Length])));
            accepted += Digest.TryParse(text, out _) ? 1 : 0;
            accepted += Reference.TryParse(text, out _) ? 1 : 0;
            accepted += RepositoryName.TryParse(text, out var name) && !name.Value.Contains("..", StringComparison.Ordinal) ? 1 : 0;
            accepted += Tag.TryParse(text, out _) ? 1 : 0;
            accepted += ContentRange.TryParse(text, out _) ? 1 : 0;
            _ = ByteRange.Parse("bytes=" + text, random.Next(0, 1000));
        }

        Assert.True(accepted > 0);
    }

    [Fact]
    public void OciPath_Mutations_OnlyNameInvalid()
    {
        var random = new Random(3);
        string[] seeds = ["k8s-c10f1/pause/manifests/3.9", "a/b/blobs/uploads/0123456789abcdef0123456789abcdef", "a/tags/list", "a/referrers/sha256:00", "_catalog", "x/blobs/sha256:e3"];
        for (var i = 0; i < Iterations; i++)
        {
            var text = Encoding.UTF8.GetString(Mutate(random, Encoding.UTF8.GetBytes(seeds[i % seeds.Length])));
            try
            {
                var path = OciPath.Parse(text);
                if (path.Route is not (OciRoute.Unknown or OciRoute.Base or OciRoute.Catalog))
                {
                    Assert.DoesNotContain("..", path.Name.Value, StringComparison.Ordinal);
                }
            }
            catch (OciException e)
            {
                Assert.Equal(OciErrorCode.NameInvalid, e.Code);
            }
        }
    }

    private static byte[] Mutate(Random random, byte[] input)
    {
        var bytes = new List<byte>(input);
        var rounds = random.Next(1, 4);
        for (var r = 0; r < rounds && bytes.Count > 0; r++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 2:
                    bytes.Insert(at, Interesting[random.Next(Interesting.Length)]);
                    break;
                case 3:
                    bytes.RemoveAt(at);
                    break;
                case 4:
                    var from = random.Next(bytes.Count);
                    var length = Math.Min(random.Next(1, 20), bytes.Count - from);
                    bytes.InsertRange(at, bytes.GetRange(from, length));
                    break;
                default:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
            }
        }

        return [.. bytes];
    }
}
