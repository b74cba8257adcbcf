using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using U7s.Oci;
using U7s.Registry;
using U7s.Registry.Http;
using U7s.Registry.Storage;
using U7s.S3.Registry;
using U7s.Testing;

namespace U7s.S3.Tests.Registry;

/// <summary>The real registry app over real Kestrel with its blobs in S3: chunked pushes, ranged reads, presigned redirects.</summary>
public sealed class S3BlobHttpTests : IAsyncLifetime
{
    private const int MiB = 1024 * 1024;

    private readonly TempDirectory _data = new("u7s-s3-http");
    private readonly List<WebApplication> _apps = [];
    private S3TestStore _s3 = null!;

    public async Task InitializeAsync() => _s3 = await S3TestStore.CreateAsync();

    public async Task DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        await _s3.DisposeAsync();
        _data.Dispose();
    }

    [RequiresS3Fact]
    public async Task ChunkedPush_ThenRangedGet_StreamsFromS3()
    {
        using var client = await StartAsync(redirect: false, allowAutoRedirect: false);
        var content = RandomNumberGenerator.GetBytes((6 * MiB) + 99);
        var digest = await PushAsync(client, "s3/http", content);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/s3/http/blobs/{digest}");
        request.Headers.Range = new RangeHeaderValue(5 * MiB, (5 * MiB) + 999);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(content[(5 * MiB)..((5 * MiB) + 1000)], await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(content, await client.GetByteArrayAsync($"/v2/s3/http/blobs/{digest}"));
    }

    [RequiresS3Fact]
    public async Task Head_AnswersSizeAndRangeFromTheSizeAlone()
    {
        using var client = await StartAsync(redirect: false, allowAutoRedirect: false);
        var content = RandomNumberGenerator.GetBytes(300_000);
        var digest = await PushAsync(client, "s3/head", content);

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/s3/head/blobs/{digest}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(content.Length, head.Content.Headers.ContentLength);
        Assert.Equal(digest.ToString(), head.Headers.GetValues("Docker-Content-Digest").Single());

        using var rangedRequest = new HttpRequestMessage(HttpMethod.Head, $"/v2/s3/head/blobs/{digest}");
        rangedRequest.Headers.Range = new RangeHeaderValue(1000, 1999);
        using var ranged = await client.SendAsync(rangedRequest);
        Assert.Equal(HttpStatusCode.PartialContent, ranged.StatusCode);
        Assert.Equal(1000, ranged.Content.Headers.ContentLength);
        Assert.Equal($"bytes 1000-1999/{content.Length}", ranged.Content.Headers.ContentRange?.ToString());

        using var outsideRequest = new HttpRequestMessage(HttpMethod.Head, $"/v2/s3/head/blobs/{digest}");
        outsideRequest.Headers.Range = new RangeHeaderValue(content.Length, content.Length + 10);
        using var outside = await client.SendAsync(outsideRequest);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, outside.StatusCode);

        using var elsewhere = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/s3/other/blobs/{digest}"));
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
        using var unknown = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/s3/head/blobs/{Digest.Compute("missing"u8)}"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [RequiresS3Fact]
    public async Task Get_WithRedirects_Answers307ToPresignedUrl()
    {
        using var client = await StartAsync(redirect: true, allowAutoRedirect: false);
        var content = RandomNumberGenerator.GetBytes(300_000);
        var digest = await PushAsync(client, "s3/redirect", content);

        using var get = await client.GetAsync($"/v2/s3/redirect/blobs/{digest}");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, get.StatusCode);
        var location = get.Headers.Location!;
        Assert.StartsWith(_s3.Options.Endpoint!, location.OriginalString, StringComparison.Ordinal);
        Assert.Contains("X-Amz-Signature=", location.OriginalString, StringComparison.Ordinal);
        Assert.Equal(digest.ToString(), get.Headers.GetValues("Docker-Content-Digest").Single());

        // HEAD stays local, with the size.
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/s3/redirect/blobs/{digest}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(content.Length, head.Content.Headers.ContentLength);

        // Not in this repository, or not stored: the registry's own 404, never a URL.
        using var elsewhere = await client.GetAsync($"/v2/s3/other/blobs/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
        using var unknown = await client.GetAsync($"/v2/s3/redirect/blobs/{Digest.Compute("missing"u8)}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("BLOB_UNKNOWN", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [RequiresS3Fact]
    public async Task Get_FollowingTheRedirect_GetsTheBytesFromS3()
    {
        using var client = await StartAsync(redirect: true, allowAutoRedirect: true);
        var content = RandomNumberGenerator.GetBytes(300_000);
        var digest = await PushAsync(client, "s3/follow", content);

        using var get = await client.GetAsync($"/v2/s3/follow/blobs/{digest}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.StartsWith(_s3.Options.Endpoint!, get.RequestMessage!.RequestUri!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(MediaTypes.OctetStream, get.Content.Headers.ContentType?.MediaType);
        Assert.Equal(content, await get.Content.ReadAsByteArrayAsync());

        using var ranged = new HttpRequestMessage(HttpMethod.Get, $"/v2/s3/follow/blobs/{digest}");
        ranged.Headers.Range = new RangeHeaderValue(1000, 1999);
        using var slice = await client.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, slice.StatusCode);
        Assert.Equal(content[1000..2000], await slice.Content.ReadAsByteArrayAsync());
    }

    private async Task<HttpClient> StartAsync(bool redirect, bool allowAutoRedirect)
    {
        var options = new RegistryOptions { Listen = "127.0.0.1:0", DataRoot = _data.Path };
        var s3Options = new S3StorageOptions
        {
            Endpoint = _s3.Options.Endpoint,
            Bucket = _s3.Options.Bucket,
            Prefix = _s3.Options.Prefix,
            PartBytes = _s3.Options.PartBytes,
            RedirectBlobReads = redirect,
        };
        var store = new S3BlobStore(_s3.Bucket, s3Options, TimeProvider.System);
        var app = RegistryApp.Build(options, services => services.AddSingleton<IBlobStore>(store), l => l.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        _apps.Add(app);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HttpClient(new HttpClientHandler { AllowAutoRedirect = allowAutoRedirect }) { BaseAddress = new Uri(address) };
    }

    /// <summary>POST, PATCH in 2 MiB chunks, PUT: the chunked push a client does.</summary>
    private static async Task<Digest> PushAsync(HttpClient client, string repository, byte[] content)
    {
        var digest = Digest.Compute(content);
        using var post = await client.PostAsync($"/v2/{repository}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var location = post.Headers.Location!.OriginalString;
        for (var offset = 0; offset < content.Length; offset += 2 * MiB)
        {
            var length = Math.Min(2 * MiB, content.Length - offset);
            using var chunk = new ByteArrayContent(content, offset, length);
            chunk.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + length - 1}");
            using var patch = await client.PatchAsync(location, chunk);
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            location = patch.Headers.Location!.OriginalString;
        }

        using var put = await client.PutAsync($"{location}{(location.Contains('?', StringComparison.Ordinal) ? '&' : '?')}digest={digest}", null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return digest;
    }
}
