using System.Net;
using System.Text;
using U7s.Oci;

namespace U7s.Registry.Tests.Http;

/// <summary>Manifest PUT validation and the four manifest kinds, stored and served without conversion.</summary>
public sealed class ManifestValidationTests(RegistryServer server) : IClassFixture<RegistryServer>
{
    private readonly HttpClient _client = server.Client;

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"schemaVersion\":3,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}")]
    [InlineData("{\"schemaVersion\":2}")]
    [InlineData("{\"schemaVersion\":\"2\",\"config\":{}}")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"layers\":[]}")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"x\",\"digest\":\"sha256:XYZ\",\"size\":1},\"layers\":[]}")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"x\",\"digest\":\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":-1},\"layers\":[]}")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":{}}")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.unknown+json\",\"config\":{}}")]
    public async Task PutManifest_Invalid_Is400ManifestInvalid(string body)
    {
        using var put = await _client.PutManifestAsync(OciClient.NewRepo(), "v1", body, null);
        await put.AssertErrorAsync(HttpStatusCode.BadRequest, "MANIFEST_INVALID");
    }

    [Fact]
    public async Task PutManifest_ContentTypeDiffersFromMediaType_Is400()
    {
        var repo = OciClient.NewRepo();
        var image = await _client.PushImageBlobsAsync(repo);
        using var put = await _client.PutManifestAsync(repo, "v1", image.Manifest, MediaTypes.DockerManifest);
        await put.AssertErrorAsync(HttpStatusCode.BadRequest, "MANIFEST_INVALID");
    }

    [Fact]
    public async Task PutManifest_DescriptorSizeWrong_Is400()
    {
        var repo = OciClient.NewRepo();
        var image = await _client.PushImageBlobsAsync(repo, 100);
        using var put = await _client.PutManifestAsync(repo, "v1", image.Manifest.Replace("\"size\":100", "\"size\":101", StringComparison.Ordinal));
        await put.AssertErrorAsync(HttpStatusCode.BadRequest, "MANIFEST_INVALID");
    }

    [Fact]
    public async Task DockerSchema2_AndManifestList_StoredWithTheirMediaTypes()
    {
        var repo = OciClient.NewRepo();
        var configBytes = "{\"architecture\":\"arm64\",\"os\":\"linux\"}"u8.ToArray();
        var config = await _client.PushBlobAsync(repo, configBytes);
        var layerBytes = new byte[] { 0x1f, 0x8b, 0, 0 };
        var layer = await _client.PushBlobAsync(repo, layerBytes);
        var manifest = $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.DockerManifest}\",\"config\":{{\"mediaType\":\"{MediaTypes.DockerConfig}\",\"size\":{configBytes.Length},\"digest\":\"{config}\"}},\"layers\":[{{\"mediaType\":\"{MediaTypes.DockerLayerGzip}\",\"size\":4,\"digest\":\"{layer}\"}}]}}";
        using (var put = await _client.PutManifestAsync(repo, "arm", manifest, MediaTypes.DockerManifest))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        var manifestDigest = Digest.Compute(Encoding.UTF8.GetBytes(manifest));
        var list = $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.DockerManifestList}\",\"manifests\":[{{\"mediaType\":\"{MediaTypes.DockerManifest}\",\"size\":{manifest.Length},\"digest\":\"{manifestDigest}\",\"platform\":{{\"architecture\":\"arm64\",\"os\":\"linux\"}}}}]}}";
        using (var put = await _client.PutManifestAsync(repo, "multi", list, MediaTypes.DockerManifestList))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using var getList = await _client.GetAsync($"/v2/{repo}/manifests/multi");
        Assert.Equal(MediaTypes.DockerManifestList, getList.Content.Headers.ContentType?.MediaType);
        Assert.Equal(list, await getList.Content.ReadAsStringAsync());
        using var getManifest = await _client.GetAsync($"/v2/{repo}/manifests/arm");
        Assert.Equal(MediaTypes.DockerManifest, getManifest.Content.Headers.ContentType?.MediaType);
        Assert.Equal(manifest, await getManifest.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OciIndex_ChildMissing_Is400ManifestBlobUnknown()
    {
        var repo = OciClient.NewRepo();
        var absent = Digest.Compute("absent"u8);
        var index = $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciIndex}\",\"manifests\":[{{\"mediaType\":\"{MediaTypes.OciManifest}\",\"size\":10,\"digest\":\"{absent}\"}}]}}";
        using var put = await _client.PutManifestAsync(repo, "idx", index, MediaTypes.OciIndex);
        await put.AssertErrorAsync(HttpStatusCode.BadRequest, "MANIFEST_BLOB_UNKNOWN");
    }

    [Fact]
    public async Task OciIndex_ChildrenPresent_IsStored()
    {
        var repo = OciClient.NewRepo();
        var child = await _client.PushImageAsync(repo, "child");
        var index = $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciIndex}\",\"manifests\":[{{\"mediaType\":\"{MediaTypes.OciManifest}\",\"size\":{child.Manifest.Length},\"digest\":\"{child.Digest}\"}}]}}";
        using var put = await _client.PutManifestAsync(repo, "idx", index, MediaTypes.OciIndex);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using var get = await _client.GetAsync($"/v2/{repo}/manifests/idx");
        Assert.Equal(MediaTypes.OciIndex, get.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData(1, MediaTypes.OciManifest, "says")]
    [InlineData(-1, MediaTypes.OciManifest, "says")]
    [InlineData(0, MediaTypes.DockerManifest, MediaTypes.OciManifest)]
    [InlineData(0, MediaTypes.OciIndex, MediaTypes.OciManifest)]
    public async Task OciIndex_ChildDescriptorDisagreesWithTheStoredChild_Is400ManifestInvalid_NothingStored(int sizeOff, string mediaType, string detail)
    {
        var repo = OciClient.NewRepo();
        var child = await _client.PushImageAsync(repo, "child");
        var index = $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciIndex}\",\"manifests\":[{{\"mediaType\":\"{mediaType}\",\"size\":{child.Manifest.Length + sizeOff},\"digest\":\"{child.Digest}\"}}]}}";
        using var put = await _client.PutManifestAsync(repo, "idx", index, MediaTypes.OciIndex);
        await put.AssertErrorAsync(HttpStatusCode.BadRequest, "MANIFEST_INVALID");
        using var error = System.Text.Json.JsonDocument.Parse(await put.Content.ReadAsStringAsync());
        Assert.Contains(detail, error.RootElement.GetProperty("errors")[0].GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var get = await _client.GetAsync($"/v2/{repo}/manifests/idx");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task PutManifest_NoContentType_UsesMediaTypeField()
    {
        var repo = OciClient.NewRepo();
        var image = await _client.PushImageBlobsAsync(repo);
        using var put = await _client.PutManifestAsync(repo, "v1", image.Manifest, null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using var get = await _client.GetAsync($"/v2/{repo}/manifests/v1");
        Assert.Equal(MediaTypes.OciManifest, get.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("PUT", "/v2/x/blobs/sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("POST", "/v2/x/manifests/v1")]
    [InlineData("PATCH", "/v2/x/tags/list")]
    public async Task WrongMethod_Is405Unsupported(string method, string path)
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        await response.AssertErrorAsync(HttpStatusCode.MethodNotAllowed, "UNSUPPORTED");
    }
}
