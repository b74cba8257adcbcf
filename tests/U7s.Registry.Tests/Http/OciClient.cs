using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using U7s.Oci;

namespace U7s.Registry.Tests.Http;

/// <summary>Small protocol steps over a plain HttpClient, and assertions on the OCI error envelope.</summary>
internal static class OciClient
{
    public static string NewRepo(string prefix = "t") => $"{prefix}/r{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 34)];

    public static async Task<Digest> PushBlobAsync(this HttpClient client, string repo, byte[] content)
    {
        var digest = Digest.Compute(content);
        using var response = await client.PostAsync($"/v2/{repo}/blobs/uploads/?digest={digest}", new ByteArrayContent(content));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return digest;
    }

    public static async Task<HttpResponseMessage> PutManifestAsync(this HttpClient client, string repo, string reference, string json, string? mediaType = MediaTypes.OciManifest)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        if (mediaType is not null)
        {
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        }

        return await client.PutAsync($"/v2/{repo}/manifests/{reference}", content);
    }

    /// <summary>Pushes a config and one random layer and returns a manifest JSON that references them.</summary>
    public static async Task<TestImage> PushImageBlobsAsync(this HttpClient client, string repo, int layerSize = 2048, string? extra = null)
    {
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"n\":\"{Guid.NewGuid():N}\"}}");
        var layer = RandomNumberGenerator.GetBytes(layerSize);
        var configDigest = await client.PushBlobAsync(repo, config);
        var layerDigest = await client.PushBlobAsync(repo, layer);
        return Image(config, configDigest, layer, layerDigest, extra);
    }

    /// <summary>An image of a config and one layer, its manifest JSON ending with <paramref name="extra"/> (e.g. a subject).</summary>
    public static TestImage Image(byte[] config, Digest configDigest, byte[] layer, Digest layerDigest, string? extra = null)
    {
        var manifest = $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciManifest}\",\"config\":{{\"mediaType\":\"{MediaTypes.OciConfig}\",\"digest\":\"{configDigest}\",\"size\":{config.Length}}},\"layers\":[{{\"mediaType\":\"{MediaTypes.OciLayerTar}\",\"digest\":\"{layerDigest}\",\"size\":{layer.Length}}}]{extra}}}";
        return new TestImage(manifest, Digest.Compute(Encoding.UTF8.GetBytes(manifest)), layer, layerDigest, config, configDigest);
    }

    public static async Task<TestImage> PushImageAsync(this HttpClient client, string repo, string reference, int layerSize = 2048)
    {
        var image = await client.PushImageBlobsAsync(repo, layerSize);
        using var response = await client.PutManifestAsync(repo, reference, image.Manifest);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return image;
    }

    /// <summary>Asserts status and the spec's error envelope with the given code.</summary>
    public static async Task AssertErrorAsync(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        var error = Assert.Single(document.RootElement.GetProperty("errors").EnumerateArray());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
    }

    public static string Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? string.Join(",", contentValues)
        : throw new Xunit.Sdk.XunitException($"response has no {name} header");
}
