using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace U7s.Bench;

/// <summary>The small image the manifest workloads read: config, one 4 KiB layer and a manifest tagged <c>bench/app:v1</c>.</summary>
internal static class SmallImage
{
    public const string ManifestPath = "/v2/bench/app/manifests/v1";

    private static readonly byte[] Config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"u8.ToArray();
    private static readonly byte[] Layer = RandomNumberGenerator.GetBytes(4096);

    /// <summary>Pushes the image (the same bytes every time in one run) into <paramref name="registry"/>.</summary>
    public static async Task PushAsync(Uri registry)
    {
        var manifest = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{Digest(Config)}\",\"size\":{Config.Length}}},\"layers\":[{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"{Digest(Layer)}\",\"size\":{Layer.Length}}}]}}");
        using var client = new HttpClient { BaseAddress = registry };
        foreach (var blob in new[] { Config, Layer })
        {
            using var post = await client.PostAsync(new Uri("/v2/bench/app/blobs/uploads/", UriKind.Relative), null);
            var location = post.Headers.Location!.OriginalString;
            var separator = location.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            using var put = await client.PutAsync(new Uri($"{location}{separator}digest={Digest(blob)}", UriKind.RelativeOrAbsolute), new ByteArrayContent(blob));
            put.EnsureSuccessStatusCode();
        }

        var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.oci.image.manifest.v1+json");
        using var putManifest = await client.PutAsync(new Uri(ManifestPath, UriKind.Relative), content);
        putManifest.EnsureSuccessStatusCode();
    }

    private static string Digest(byte[] b) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(b));
}
