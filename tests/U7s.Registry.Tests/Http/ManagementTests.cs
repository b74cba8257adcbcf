using System.Net;
using U7s.Oci;

namespace U7s.Registry.Tests.Http;

/// <summary>The content management workflow: deletes of tags, manifests and blobs.</summary>
public sealed class ManagementTests(RegistryServer server) : IClassFixture<RegistryServer>
{
    private readonly HttpClient _client = server.Client;

    [Fact]
    public async Task DeleteManifest_ByTag_RemovesOnlyTheTag()
    {
        var repo = OciClient.NewRepo();
        var image = await _client.PushImageAsync(repo, "v1");
        using var delete = await _client.DeleteAsync($"/v2/{repo}/manifests/v1");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        using var byTag = await _client.GetAsync($"/v2/{repo}/manifests/v1");
        await byTag.AssertErrorAsync(HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        using var byDigest = await _client.GetAsync($"/v2/{repo}/manifests/{image.Digest}");
        Assert.Equal(HttpStatusCode.OK, byDigest.StatusCode);
    }

    [Fact]
    public async Task DeleteManifest_ByDigest_RemovesManifestAndItsTags()
    {
        var repo = OciClient.NewRepo();
        var image = await _client.PushImageAsync(repo, "v1");
        using (var tag2 = await _client.PutManifestAsync(repo, "v2", image.Manifest))
        {
            Assert.Equal(HttpStatusCode.Created, tag2.StatusCode);
        }

        var other = await _client.PushImageAsync(repo, "keep");
        using var delete = await _client.DeleteAsync($"/v2/{repo}/manifests/{image.Digest}");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        using var byDigest = await _client.GetAsync($"/v2/{repo}/manifests/{image.Digest}");
        await byDigest.AssertErrorAsync(HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        using var tags = await _client.GetAsync($"/v2/{repo}/tags/list");
        Assert.Contains("\"tags\":[\"keep\"]", await tags.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var kept = await _client.GetAsync($"/v2/{repo}/manifests/{other.Digest}");
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
    }

    [Fact]
    public async Task DeleteManifest_Unknown_Is404()
    {
        var repo = OciClient.NewRepo();
        await _client.PushImageAsync(repo, "v1");
        using var byDigest = await _client.DeleteAsync($"/v2/{repo}/manifests/{Digest.Compute("x"u8)}");
        await byDigest.AssertErrorAsync(HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        using var byTag = await _client.DeleteAsync($"/v2/{repo}/manifests/missing");
        await byTag.AssertErrorAsync(HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
    }

    [Fact]
    public async Task DeleteBlob_Then404()
    {
        var repo = OciClient.NewRepo();
        var digest = await _client.PushBlobAsync(repo, [1, 2, 3]);
        using var delete = await _client.DeleteAsync($"/v2/{repo}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        using var get = await _client.GetAsync($"/v2/{repo}/blobs/{digest}");
        await get.AssertErrorAsync(HttpStatusCode.NotFound, "BLOB_UNKNOWN");
        using var again = await _client.DeleteAsync($"/v2/{repo}/blobs/{digest}");
        await again.AssertErrorAsync(HttpStatusCode.NotFound, "BLOB_UNKNOWN");
    }

    [Fact]
    public async Task Healthz_And_Metrics()
    {
        using var health = await _client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        await _client.PushImageAsync(OciClient.NewRepo(), "v1");
        using var missing = await _client.GetAsync($"/v2/{OciClient.NewRepo()}/tags/list");
        var metrics = await _client.GetStringAsync("/metrics");
        Assert.Contains("# TYPE u7s_registry_requests_total counter", metrics, StringComparison.Ordinal);
        Assert.Matches(@"u7s_registry_requests_total\{method=""PUT"",status=""201""\} [1-9]", metrics);
        Assert.Matches(@"u7s_registry_uploads_total [1-9]", metrics);
        Assert.Matches(@"u7s_registry_bytes_received_total [1-9]", metrics);
        Assert.Matches(@"u7s_registry_errors_total\{code=""NAME_UNKNOWN""\} [1-9]", metrics);
    }
}
