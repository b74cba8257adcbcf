using System.Net;
using System.Net.Http.Headers;
using System.Text;
using U7s.Oci;

namespace U7s.Registry.Tests.Http;

/// <summary>The distribution spec's pull workflow.</summary>
public sealed class PullTests(RegistryServer server) : IClassFixture<RegistryServer>
{
    private readonly HttpClient _client = server.Client;

    [Fact]
    public async Task Base_Returns200WithApiVersionHeader()
    {
        using var response = await _client.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("registry/2.0", response.Header("Docker-Distribution-Api-Version"));
    }

    [Fact]
    public async Task GetManifest_ByTagAndDigest_ServesPushedBytesExactly()
    {
        var repo = OciClient.NewRepo();
        var image = await _client.PushImageBlobsAsync(repo);
        // Whitespace and key order that a re-encoding registry would lose.
        var odd = image.Manifest.Replace("{\"schemaVersion\":2,", "{\n   \"schemaVersion\" : 2 ,\n", StringComparison.Ordinal);
        using (var put = await _client.PutManifestAsync(repo, "v1", odd))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        var digest = Digest.Compute(Encoding.UTF8.GetBytes(odd));
        foreach (var reference in new[] { "v1", digest.ToString() })
        {
            using var response = await _client.GetAsync($"/v2/{repo}/manifests/{reference}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(odd, await response.Content.ReadAsStringAsync());
            Assert.Equal(MediaTypes.OciManifest, response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(digest.ToString(), response.Header("Docker-Content-Digest"));
            Assert.Equal(Encoding.UTF8.GetByteCount(odd), response.Content.Headers.ContentLength);
        }
    }

    [Fact]
    public async Task HeadManifest_HasHeadersAndNoBody()
    {
        var repo = OciClient.NewRepo();
        var image = await _client.PushImageAsync(repo, "v1");
        using var request = new HttpRequestMessage(HttpMethod.Head, $"/v2/{repo}/manifests/v1");
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(image.Digest.ToString(), response.Header("Docker-Content-Digest"));
        Assert.Equal(Encoding.UTF8.GetByteCount(image.Manifest), response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task GetManifest_Unknown_Is404ManifestUnknown()
    {
        var repo = OciClient.NewRepo();
        await _client.PushImageAsync(repo, "v1");
        using var byTag = await _client.GetAsync($"/v2/{repo}/manifests/nope");
        await byTag.AssertErrorAsync(HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        using var byDigest = await _client.GetAsync($"/v2/{repo}/manifests/{Digest.Compute("x"u8)}");
        await byDigest.AssertErrorAsync(HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
    }

    [Fact]
    public async Task GetManifest_ByLayerDigest_Is404NotTheLayer()
    {
        var repo = OciClient.NewRepo();
        var image = await _client.PushImageAsync(repo, "v1");
        using var response = await _client.GetAsync($"/v2/{repo}/manifests/{image.LayerDigest}");
        await response.AssertErrorAsync(HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
    }

    [Fact]
    public async Task GetBlob_ReturnsContentAndHeaders()
    {
        var repo = OciClient.NewRepo();
        var image = await _client.PushImageAsync(repo, "v1", 100_000);
        using var response = await _client.GetAsync($"/v2/{repo}/blobs/{image.LayerDigest}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(image.Layer, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(image.LayerDigest.ToString(), response.Header("Docker-Content-Digest"));
        Assert.Equal(100_000, response.Content.Headers.ContentLength);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData(20_000)]
    [InlineData(65_536)]
    [InlineData(65_537)]
    [InlineData(300_000)]
    public async Task GetBlob_SizesAroundTheSmallAndBlockBounds_AreByteExactWholeAndRanged(int size)
    {
        // Bodies up to 64 KiB are read on the request's thread in 4 KiB blocks, larger ones streamed: both
        // paths, and a range of each, must give the exact bytes.
        var repo = OciClient.NewRepo();
        var content = System.Security.Cryptography.RandomNumberGenerator.GetBytes(size);
        var digest = await _client.PushBlobAsync(repo, content);
        for (var i = 0; i < 2; i++)
        {
            using var whole = await _client.GetAsync($"/v2/{repo}/blobs/{digest}");
            Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
            Assert.Equal(content, await whole.Content.ReadAsByteArrayAsync());
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repo}/blobs/{digest}");
        request.Headers.Range = new RangeHeaderValue(size / 3, size - 1);
        using var ranged = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, ranged.StatusCode);
        Assert.Equal(content[(size / 3)..], await ranged.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task HeadBlob_HasLengthAndDigest()
    {
        var repo = OciClient.NewRepo();
        var image = await _client.PushImageAsync(repo, "v1", 5000);
        using var request = new HttpRequestMessage(HttpMethod.Head, $"/v2/{repo}/blobs/{image.LayerDigest}");
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(5000, response.Content.Headers.ContentLength);
        Assert.Equal(image.LayerDigest.ToString(), response.Header("Docker-Content-Digest"));
    }

    [Theory]
    [InlineData("bytes=0-9", 0, 10)]
    [InlineData("bytes=100-", 100, 900)]
    [InlineData("bytes=-50", 950, 50)]
    [InlineData("bytes=990-5000", 990, 10)]
    public async Task GetBlob_Range_Returns206Slice(string range, int from, int length)
    {
        var repo = OciClient.NewRepo();
        var image = await _client.PushImageAsync(repo, "v1", 1000);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repo}/blobs/{image.LayerDigest}");
        request.Headers.TryAddWithoutValidation("Range", range);
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(image.Layer.AsSpan(from, length).ToArray(), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(new ContentRangeHeaderValue(from, from + length - 1, 1000), response.Content.Headers.ContentRange);
        Assert.Equal(length, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task GetBlob_UnsatisfiableRange_Is416InOciForm()
    {
        var repo = OciClient.NewRepo();
        var image = await _client.PushImageAsync(repo, "v1", 1000);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repo}/blobs/{image.LayerDigest}");
        request.Headers.TryAddWithoutValidation("Range", "bytes=1000-");
        using var response = await _client.SendAsync(request);
        await response.AssertErrorAsync(HttpStatusCode.RequestedRangeNotSatisfiable, "RANGE_INVALID");
        Assert.Equal("bytes */1000", response.Content.Headers.ContentRange?.ToString());
    }

    [Fact]
    public async Task GetBlob_Unknown_Is404BlobUnknown()
    {
        var repo = OciClient.NewRepo();
        await _client.PushImageAsync(repo, "v1");
        using var response = await _client.GetAsync($"/v2/{repo}/blobs/{Digest.Compute("absent"u8)}");
        await response.AssertErrorAsync(HttpStatusCode.NotFound, "BLOB_UNKNOWN");
    }

    [Fact]
    public async Task GetBlob_OfAnotherRepository_Is404()
    {
        var image = await _client.PushImageAsync(OciClient.NewRepo(), "v1");
        using var response = await _client.GetAsync($"/v2/{OciClient.NewRepo()}/blobs/{image.LayerDigest}");
        await response.AssertErrorAsync(HttpStatusCode.NotFound, "BLOB_UNKNOWN");
    }

    [Theory]
    [InlineData("/v2/Upper/manifests/v1")]
    [InlineData("/v2/a__b___c/tags/list")]
    [InlineData("/v2/-a/blobs/sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    public async Task InvalidName_Is400NameInvalidJson(string path)
    {
        using var response = await _client.GetAsync(path);
        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "NAME_INVALID");
    }

    [Fact]
    public async Task GetBlob_InvalidDigest_Is400DigestInvalid()
    {
        using var response = await _client.GetAsync($"/v2/{OciClient.NewRepo()}/blobs/sha256:XYZ");
        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "DIGEST_INVALID");
    }

    [Fact]
    public async Task PathTraversal_NeverLeavesTheDataRoot()
    {
        using var response = await _client.GetAsync("/v2/..%2F..%2F..%2Fetc/blobs/sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, response.StatusCode.ToString());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }
}
