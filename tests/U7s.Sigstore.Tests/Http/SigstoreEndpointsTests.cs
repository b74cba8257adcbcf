using System.Globalization;
using System.Net;
using System.Text.Json;

namespace U7s.Sigstore.Tests.Http;

/// <summary>SPEC §2.5: the :81 URL space, statuses and listing format, against real Kestrel.</summary>
public sealed class SigstoreEndpointsTests : IAsyncLifetime
{
    private const string Hex = "035d35a9bb1b2d5cb1e0a7c1b0f2e0f1ad3b3f7ccdb1d7b4cb0f2f0a35d3e0aa";
    private SigstoreServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await SigstoreServer.StartAsync();
        var root = _server.Root.Path;
        await File.WriteAllTextAsync(Path.Combine(root, "index.html"), "<html><body><h1>SigStore works!</h1></body></html>");
        Directory.CreateDirectory(Path.Combine(root, "keys", "old"));
        await File.WriteAllTextAsync(Path.Combine(root, "keys", "imagemaker.pgp"), "-----BEGIN PGP PUBLIC KEY BLOCK-----\n");
        await File.WriteAllTextAsync(Path.Combine(root, "keys", "policy.json"), "{}");
        await File.WriteAllTextAsync(Path.Combine(root, "keys", ".hidden"), "x");
        File.SetLastWriteTimeUtc(Path.Combine(root, "keys", "policy.json"), new DateTime(2023, 5, 23, 5, 43, 25, DateTimeKind.Utc));
        var dir = Path.Combine(root, "sigstore", "k8s-c10f1", "pause@sha256=" + Hex);
        Directory.CreateDirectory(dir);
        await File.WriteAllBytesAsync(Path.Combine(dir, "signature-1"), [0xA3, 1, 2, 3]);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Root_ServesIndexHtml()
    {
        using var response = await _server.Client.GetAsync(new Uri("/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("SigStore works!", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_JsonListing_DirectoriesFirstDotfilesHidden()
    {
        using var response = await _server.Client.GetAsync(new Uri("/keys/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var entries = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(["old", "imagemaker.pgp", "policy.json"], entries.Select(e => e.GetProperty("name").GetString()));
        Assert.Equal(["directory", "file", "file"], entries.Select(e => e.GetProperty("type").GetString()));
        Assert.False(entries[0].TryGetProperty("size", out _));
        Assert.Equal(2, entries[2].GetProperty("size").GetInt64());
        Assert.Equal("Tue, 23 May 2023 05:43:25 GMT", entries[2].GetProperty("mtime").GetString());
        Assert.True(DateTime.TryParseExact(entries[0].GetProperty("mtime").GetString(), "R", CultureInfo.InvariantCulture, DateTimeStyles.None, out _));
    }

    [Theory]
    [InlineData("/keys", "/keys/")]
    [InlineData("/sigstore/k8s-c10f1", "/sigstore/k8s-c10f1/")]
    public async Task DirectoryWithoutSlash_Is301(string path, string location)
    {
        using var response = await _server.Client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal(location, response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("/sigstore/k8s-c10f1/pause@sha256=" + Hex + "/signature-1")]
    [InlineData("/sigstore//k8s-c10f1/pause@sha256=" + Hex + "/signature-1")]
    [InlineData("/sigstore///k8s-c10f1//pause@sha256=" + Hex + "//signature-1")]
    [InlineData("/sigstore/k8s-c10f1/pause%40sha256%3D" + Hex + "/signature-1")]
    public async Task Signature_IsServedAsOctetStream(string path)
    {
        using var response = await _server.Client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal([0xA3, 1, 2, 3], await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/sigstore/k8s-c10f1/pause@sha256=" + Hex + "/signature-2")]
    [InlineData("/sigstore/k8s-c10f1/other@sha256=" + Hex + "/signature-1")]
    [InlineData("/keys/absent.pgp")]
    [InlineData("/keys/policy.json/")]
    [InlineData("/../../etc/passwd")]
    [InlineData("/sigstore/%2e%2e/%2e%2e/etc/passwd")]
    public async Task Missing_Is404WithoutBody(string path)
    {
        using var response = await _server.Client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Head_SendsLengthWithoutBody()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, "/sigstore/k8s-c10f1/pause@sha256=" + Hex + "/signature-1");
        using var response = await _server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(4, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public async Task OtherMethods_Are405(string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "/sigstore/k8s-c10f1/pause@sha256=" + Hex + "/signature-1");
        using var response = await _server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("GET", response.Content.Headers.Allow);
    }
}
