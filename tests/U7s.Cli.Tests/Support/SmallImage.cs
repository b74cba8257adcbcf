using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using U7s.Oci;

namespace U7s.Cli.Tests.Support;

/// <summary>A one-layer OCI image pushed over the registry API: the manifest as pushed, its digest and its layer.</summary>
internal sealed record SmallImage(string Manifest, Digest Digest, byte[] Layer)
{
    /// <summary>Pushes a random layer, a config and the manifest tagged <paramref name="tag"/>; asserts every step.</summary>
    public static async Task<SmallImage> PushAsync(HttpClient client, string repository, string tag, int layerSize = 1000)
    {
        var layer = RandomNumberGenerator.GetBytes(layerSize);
        var config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}"u8.ToArray();
        foreach (var blob in new[] { layer, config })
        {
            await PushBlobAsync(client, repository, blob);
        }

        var manifest = $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciManifest}\",\"config\":{{\"mediaType\":\"{MediaTypes.OciConfig}\",\"digest\":\"{Digest.Compute(config)}\",\"size\":{config.Length}}},\"layers\":[{{\"mediaType\":\"{MediaTypes.OciLayerTar}\",\"digest\":\"{Digest.Compute(layer)}\",\"size\":{layer.Length}}}]}}";
        using var content = new StringContent(manifest, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.OciManifest);
        using var put = await client.PutAsync($"/v2/{repository}/manifests/{tag}", content);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return new SmallImage(manifest, Digest.Compute(Encoding.UTF8.GetBytes(manifest)), layer);
    }

    /// <summary>One single-POST blob push.</summary>
    public static async Task PushBlobAsync(HttpClient client, string repository, byte[] blob)
    {
        using var post = await client.PostAsync($"/v2/{repository}/blobs/uploads/?digest={Digest.Compute(blob)}", new ByteArrayContent(blob));
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
    }
}
