using System.Net;
using System.Text.Json;
using U7s.Oci;

namespace U7s.Registry.Tests.Http;

/// <summary>The content discovery workflow: tag lists, catalog, referrers.</summary>
public sealed class DiscoveryTests(RegistryServer server) : IClassFixture<RegistryServer>
{
    private readonly HttpClient _client = server.Client;

    [Fact]
    public async Task TagsList_SortedLexically()
    {
        var repo = OciClient.NewRepo();
        var image = await _client.PushImageAsync(repo, "v1");
        foreach (var tag in new[] { "v4", "v2", "v3" })
        {
            using var put = await _client.PutManifestAsync(repo, tag, image.Manifest);
        }

        Assert.Equal(["v1", "v2", "v3", "v4"], await TagsAsync($"/v2/{repo}/tags/list"));
    }

    [Fact]
    public async Task TagsList_NAndLast_PageWithLinkHeader()
    {
        var repo = OciClient.NewRepo();
        var image = await _client.PushImageAsync(repo, "a");
        foreach (var tag in new[] { "b", "c", "d", "e" })
        {
            using var put = await _client.PutManifestAsync(repo, tag, image.Manifest);
        }

        using var first = await _client.GetAsync($"/v2/{repo}/tags/list?n=2");
        Assert.Equal(["a", "b"], await ReadTagsAsync(first));
        Assert.Equal($"</v2/{repo}/tags/list?last=b&n=2>; rel=\"next\"", first.Header("Link"));

        using var second = await _client.GetAsync($"/v2/{repo}/tags/list?n=2&last=b");
        Assert.Equal(["c", "d"], await ReadTagsAsync(second));

        using var last = await _client.GetAsync($"/v2/{repo}/tags/list?n=2&last=d");
        Assert.Equal(["e"], await ReadTagsAsync(last));
        Assert.False(last.Headers.Contains("Link"));

        using var onlyLast = await _client.GetAsync($"/v2/{repo}/tags/list?last=c");
        Assert.Equal(["d", "e"], await ReadTagsAsync(onlyLast));
    }

    [Fact]
    public async Task TagsList_NZero_EmptyWithoutLink()
    {
        var repo = OciClient.NewRepo();
        await _client.PushImageAsync(repo, "a");
        using var response = await _client.GetAsync($"/v2/{repo}/tags/list?n=0");
        Assert.Empty(await ReadTagsAsync(response));
        Assert.False(response.Headers.Contains("Link"));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("abc")]
    public async Task TagsList_InvalidN_Is400(string n)
    {
        var repo = OciClient.NewRepo();
        await _client.PushImageAsync(repo, "a");
        using var response = await _client.GetAsync($"/v2/{repo}/tags/list?n={n}");
        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "PAGINATION_NUMBER_INVALID");
    }

    [Fact]
    public async Task TagsList_UnknownRepository_Is404NameUnknown()
    {
        using var response = await _client.GetAsync($"/v2/{OciClient.NewRepo()}/tags/list");
        await response.AssertErrorAsync(HttpStatusCode.NotFound, "NAME_UNKNOWN");
    }

    [Fact]
    public async Task Catalog_ListsRepositoriesSortedWithPagination()
    {
        var prefix = $"cat{Guid.NewGuid():N}"[..12];
        foreach (var name in new[] { "c", "a", "b/nested", "b" })
        {
            await _client.PushImageAsync($"{prefix}/{name}", "v1");
        }

        using var all = await _client.GetAsync("/v2/_catalog");
        var repositories = (await ReadArrayAsync(all, "repositories")).Where(r => r.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.Equal([$"{prefix}/a", $"{prefix}/b", $"{prefix}/b/nested", $"{prefix}/c"], repositories);

        using var page = await _client.GetAsync($"/v2/_catalog?n=2&last={prefix}/a");
        Assert.Equal([$"{prefix}/b", $"{prefix}/b/nested"], await ReadArrayAsync(page, "repositories"));
        Assert.Equal($"</v2/_catalog?last={Uri.EscapeDataString($"{prefix}/b/nested")}&n=2>; rel=\"next\"", page.Header("Link"));
    }

    [Fact]
    public async Task Referrers_ManifestWithSubject_ListedAndFiltered()
    {
        var repo = OciClient.NewRepo();
        var subject = await _client.PushImageAsync(repo, "v1");
        var subjectSize = System.Text.Encoding.UTF8.GetByteCount(subject.Manifest);
        var subjectField = $",\"subject\":{{\"mediaType\":\"{MediaTypes.OciManifest}\",\"digest\":\"{subject.Digest}\",\"size\":{subjectSize}}}";
        var sbom = await _client.PushImageBlobsAsync(repo, 10, subjectField + ",\"artifactType\":\"application/x-sbom\",\"annotations\":{\"kind\":\"sbom\"}");
        using (var put = await _client.PutManifestAsync(repo, sbom.Digest.ToString(), sbom.Manifest))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            Assert.Equal(subject.Digest.ToString(), put.Header("OCI-Subject"));
        }

        var sig = await _client.PushImageBlobsAsync(repo, 10, subjectField + ",\"artifactType\":\"application/x-sig\"");
        using (var put = await _client.PutManifestAsync(repo, sig.Digest.ToString(), sig.Manifest))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using var all = await _client.GetAsync($"/v2/{repo}/referrers/{subject.Digest}");
        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        Assert.Equal(MediaTypes.OciIndex, all.Content.Headers.ContentType?.MediaType);
        using var allDoc = JsonDocument.Parse(await all.Content.ReadAsStringAsync());
        Assert.Equal(2, allDoc.RootElement.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(2, allDoc.RootElement.GetProperty("manifests").GetArrayLength());
        Assert.False(all.Headers.Contains("OCI-Filters-Applied"));

        using var filtered = await _client.GetAsync($"/v2/{repo}/referrers/{subject.Digest}?artifactType=application/x-sbom");
        Assert.Equal("artifactType", filtered.Header("OCI-Filters-Applied"));
        using var doc = JsonDocument.Parse(await filtered.Content.ReadAsStringAsync());
        var entry = Assert.Single(doc.RootElement.GetProperty("manifests").EnumerateArray());
        Assert.Equal(sbom.Digest.ToString(), entry.GetProperty("digest").GetString());
        Assert.Equal("application/x-sbom", entry.GetProperty("artifactType").GetString());
        Assert.Equal("sbom", entry.GetProperty("annotations").GetProperty("kind").GetString());
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(sbom.Manifest), entry.GetProperty("size").GetInt64());

        // Deleting the referrer removes it from the list.
        using var delete = await _client.DeleteAsync($"/v2/{repo}/manifests/{sbom.Digest}");
        using var after = await _client.GetAsync($"/v2/{repo}/referrers/{subject.Digest}");
        using var afterDoc = JsonDocument.Parse(await after.Content.ReadAsStringAsync());
        Assert.Single(afterDoc.RootElement.GetProperty("manifests").EnumerateArray());
    }

    [Fact]
    public async Task Referrers_SubjectAbsent_PushAcceptedAndListed()
    {
        var repo = OciClient.NewRepo();
        var absent = Digest.Compute("no such manifest"u8);
        var artifact = await _client.PushImageBlobsAsync(repo, 10, $",\"subject\":{{\"mediaType\":\"{MediaTypes.OciManifest}\",\"digest\":\"{absent}\",\"size\":10}}");
        using var put = await _client.PutManifestAsync(repo, artifact.Digest.ToString(), artifact.Manifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using var list = await _client.GetAsync($"/v2/{repo}/referrers/{absent}");
        using var doc = JsonDocument.Parse(await list.Content.ReadAsStringAsync());
        Assert.Single(doc.RootElement.GetProperty("manifests").EnumerateArray());
    }

    [Fact]
    public async Task Referrers_None_IsEmptyIndexNot404()
    {
        var repo = OciClient.NewRepo();
        var image = await _client.PushImageAsync(repo, "v1");
        using var response = await _client.GetAsync($"/v2/{repo}/referrers/{image.Digest}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(0, doc.RootElement.GetProperty("manifests").GetArrayLength());
    }

    [Fact]
    public async Task Referrers_BadDigest_Is400()
    {
        using var response = await _client.GetAsync($"/v2/{OciClient.NewRepo()}/referrers/sha256:nothex");
        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "DIGEST_INVALID");
    }

    private async Task<List<string>> TagsAsync(string path)
    {
        using var response = await _client.GetAsync(path);
        return await ReadTagsAsync(response);
    }

    private static Task<List<string>> ReadTagsAsync(HttpResponseMessage response) => ReadArrayAsync(response, "tags");

    private static async Task<List<string>> ReadArrayAsync(HttpResponseMessage response, string property)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty(property).EnumerateArray().Select(e => e.GetString()!).ToList();
    }
}
