using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using U7s.Oci;

namespace U7s.Registry.Tests.Http;

/// <summary>The distribution spec's push workflow: monolithic, single-POST, chunked, mounts and upload state.</summary>
public sealed class PushTests(RegistryServer server) : IClassFixture<RegistryServer>
{
    private readonly HttpClient _client = server.Client;

    [Fact]
    public async Task Monolithic_PostThenPut_Returns201WithLocationAndDigest()
    {
        var repo = OciClient.NewRepo();
        var content = RandomNumberGenerator.GetBytes(10_000);
        var digest = Digest.Compute(content);
        using var post = await _client.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var location = post.Headers.Location!;
        Assert.StartsWith($"/v2/{repo}/blobs/uploads/", location.OriginalString, StringComparison.Ordinal);
        Assert.Equal("0-0", post.Header("Range"));

        using var put = await _client.PutAsync($"{location}?digest={digest}", new ByteArrayContent(content));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal($"/v2/{repo}/blobs/{digest}", put.Headers.Location!.OriginalString);
        Assert.Equal(digest.ToString(), put.Header("Docker-Content-Digest"));
        Assert.Equal(content, await _client.GetByteArrayAsync(put.Headers.Location));
    }

    [Fact]
    public async Task SinglePost_WithDigest_Returns201()
    {
        var repo = OciClient.NewRepo();
        var content = RandomNumberGenerator.GetBytes(777);
        var digest = Digest.Compute(content);
        using var post = await _client.PostAsync($"/v2/{repo}/blobs/uploads/?digest={digest}", new ByteArrayContent(content));
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        Assert.Equal($"/v2/{repo}/blobs/{digest}", post.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task SinglePost_WrongDigest_Is400AndNothingVisible()
    {
        var repo = OciClient.NewRepo();
        var wrong = Digest.Compute("something else"u8);
        using var post = await _client.PostAsync($"/v2/{repo}/blobs/uploads/?digest={wrong}", new ByteArrayContent(RandomNumberGenerator.GetBytes(50)));
        await post.AssertErrorAsync(HttpStatusCode.BadRequest, "DIGEST_INVALID");
        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repo}/blobs/{wrong}"));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(server.DataRoot, "blobs"), wrong.Hex, SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Chunked_PatchWithContentRange_ThenPut()
    {
        var repo = OciClient.NewRepo();
        var content = RandomNumberGenerator.GetBytes(3 * 65536 + 5);
        using var post = await _client.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        var location = post.Headers.Location!;
        for (var offset = 0; offset < content.Length; offset += 65536)
        {
            var length = Math.Min(65536, content.Length - offset);
            using var chunk = new ByteArrayContent(content, offset, length);
            chunk.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + length - 1}");
            using var patch = await _client.PatchAsync(location, chunk);
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            Assert.Equal($"0-{offset + length - 1}", patch.Header("Range"));
            location = patch.Headers.Location!;
        }

        var digest = Digest.Compute(content);
        using var put = await _client.PutAsync($"{location}?digest={digest}", null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(content, await _client.GetByteArrayAsync($"/v2/{repo}/blobs/{digest}"));
    }

    [Fact]
    public async Task Chunked_OutOfOrder_Is416WithLocationAndRange_AndUploadIntact()
    {
        var repo = OciClient.NewRepo();
        var content = RandomNumberGenerator.GetBytes(200);
        using var post = await _client.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        var location = post.Headers.Location!;
        using (var first = Chunk(content, 0, 100))
        using (var ok = await _client.PatchAsync(location, first))
        {
            Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        }

        using (var skipped = Chunk(content, 150, 50))
        using (var bad = await _client.PatchAsync(location, skipped))
        {
            await bad.AssertErrorAsync(HttpStatusCode.RequestedRangeNotSatisfiable, "RANGE_INVALID");
            Assert.Equal("0-99", bad.Header("Range"));
            Assert.Equal(location.OriginalString, bad.Headers.Location!.OriginalString);
        }

        using (var rest = Chunk(content, 100, 100))
        using (var resumed = await _client.PatchAsync(location, rest))
        {
            Assert.Equal(HttpStatusCode.Accepted, resumed.StatusCode);
        }

        using var put = await _client.PutAsync($"{location}?digest={Digest.Compute(content)}", null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    [Fact]
    public async Task Chunked_RangeLengthDiffersFromBody_Is416()
    {
        var repo = OciClient.NewRepo();
        using var post = await _client.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        using var chunk = new ByteArrayContent(new byte[10]);
        chunk.Headers.TryAddWithoutValidation("Content-Range", "0-19");
        using var patch = await _client.PatchAsync(post.Headers.Location, chunk);
        await patch.AssertErrorAsync(HttpStatusCode.RequestedRangeNotSatisfiable, "RANGE_INVALID");
    }

    [Fact]
    public async Task UploadStatus_EveryEarlierLocationWorks()
    {
        var repo = OciClient.NewRepo();
        using var post = await _client.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        var first = post.Headers.Location!;
        using var patch = await _client.PatchAsync(first, new ByteArrayContent(new byte[42]));
        foreach (var location in new[] { first, patch.Headers.Location! })
        {
            using var status = await _client.GetAsync(location);
            Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
            Assert.Equal("0-41", status.Header("Range"));
            Assert.Equal(first.OriginalString, status.Headers.Location!.OriginalString);
        }
    }

    [Fact]
    public async Task DeleteUpload_Then404BlobUploadUnknown()
    {
        var repo = OciClient.NewRepo();
        using var post = await _client.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        using var delete = await _client.DeleteAsync(post.Headers.Location);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var status = await _client.GetAsync(post.Headers.Location);
        await status.AssertErrorAsync(HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        using var patch = await _client.PatchAsync(post.Headers.Location, new ByteArrayContent(new byte[1]));
        await patch.AssertErrorAsync(HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("not-an-upload")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF")]
    public async Task UnknownUpload_Is404BlobUploadUnknown(string id)
    {
        using var response = await _client.GetAsync($"/v2/{OciClient.NewRepo()}/blobs/uploads/{id}");
        await response.AssertErrorAsync(HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
    }

    [Fact]
    public async Task Upload_FromAnotherRepository_Is404()
    {
        using var post = await _client.PostAsync($"/v2/{OciClient.NewRepo()}/blobs/uploads/", null);
        var id = post.Headers.Location!.OriginalString.Split('/')[^1];
        using var response = await _client.GetAsync($"/v2/{OciClient.NewRepo()}/blobs/uploads/{id}");
        await response.AssertErrorAsync(HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
    }

    [Fact]
    public async Task CompleteUpload_WrongDigest_Is400_UploadStillUsable()
    {
        var repo = OciClient.NewRepo();
        var content = RandomNumberGenerator.GetBytes(300);
        using var post = await _client.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        using var patch = await _client.PatchAsync(post.Headers.Location, new ByteArrayContent(content));
        using var wrong = await _client.PutAsync($"{patch.Headers.Location}?digest={Digest.Compute("x"u8)}", null);
        await wrong.AssertErrorAsync(HttpStatusCode.BadRequest, "DIGEST_INVALID");
        using var right = await _client.PutAsync($"{patch.Headers.Location}?digest={Digest.Compute(content)}", null);
        Assert.Equal(HttpStatusCode.Created, right.StatusCode);
    }

    [Fact]
    public async Task CompleteUpload_MissingDigest_Is400()
    {
        using var post = await _client.PostAsync($"/v2/{OciClient.NewRepo()}/blobs/uploads/", null);
        using var put = await _client.PutAsync(post.Headers.Location, new ByteArrayContent(new byte[3]));
        await put.AssertErrorAsync(HttpStatusCode.BadRequest, "DIGEST_INVALID");
    }

    [Fact]
    public async Task Mount_FromRepositoryHoldingBlob_Is201()
    {
        var source = OciClient.NewRepo();
        var digest = await _client.PushBlobAsync(source, RandomNumberGenerator.GetBytes(99));
        var target = OciClient.NewRepo();
        using var mount = await _client.PostAsync($"/v2/{target}/blobs/uploads/?mount={digest}&from={source}", null);
        Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        Assert.Equal($"/v2/{target}/blobs/{digest}", mount.Headers.Location!.OriginalString);
        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{target}/blobs/{digest}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
    }

    [Fact]
    public async Task Mount_WithoutFrom_WhenAutomaticCrossMountIsOff_OpensAnUpload_WithFromStillMounts()
    {
        var off = new RegistryServer();
        off.Options.AutomaticCrossMount = false;
        await off.InitializeAsync();
        try
        {
            var source = OciClient.NewRepo();
            var image = await off.Client.PushImageAsync(source, "v1");
            using var automatic = await off.Client.PostAsync($"/v2/{OciClient.NewRepo()}/blobs/uploads/?mount={image.LayerDigest}", null);
            Assert.Equal(HttpStatusCode.Accepted, automatic.StatusCode);
            using var named = await off.Client.PostAsync($"/v2/{OciClient.NewRepo()}/blobs/uploads/?mount={image.LayerDigest}&from={source}", null);
            Assert.Equal(HttpStatusCode.Created, named.StatusCode);
        }
        finally
        {
            await off.DisposeAsync();
        }
    }

    [Fact]
    public async Task Mount_FromRepositoryWithoutBlob_FallsBackTo202Session()
    {
        var digest = await _client.PushBlobAsync(OciClient.NewRepo(), RandomNumberGenerator.GetBytes(99));
        using var mount = await _client.PostAsync($"/v2/{OciClient.NewRepo()}/blobs/uploads/?mount={digest}&from={OciClient.NewRepo()}", null);
        Assert.Equal(HttpStatusCode.Accepted, mount.StatusCode);
        Assert.Contains("/blobs/uploads/", mount.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mount_UnknownBlob_FallsBackTo202Session()
    {
        using var mount = await _client.PostAsync($"/v2/{OciClient.NewRepo()}/blobs/uploads/?mount={Digest.Compute("never pushed"u8)}", null);
        Assert.Equal(HttpStatusCode.Accepted, mount.StatusCode);
    }

    [Fact]
    public async Task PutManifest_MissingBlob_Is400ManifestBlobUnknown()
    {
        var repo = OciClient.NewRepo();
        var image = await _client.PushImageBlobsAsync(repo);
        using var delete = await _client.DeleteAsync($"/v2/{repo}/blobs/{image.LayerDigest}");
        using var put = await _client.PutManifestAsync(repo, "v1", image.Manifest);
        await put.AssertErrorAsync(HttpStatusCode.BadRequest, "MANIFEST_BLOB_UNKNOWN");
        using var get = await _client.GetAsync($"/v2/{repo}/manifests/v1");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task PutManifest_ByDigest_MismatchIs400DigestInvalid()
    {
        var repo = OciClient.NewRepo();
        var image = await _client.PushImageBlobsAsync(repo);
        using var put = await _client.PutManifestAsync(repo, Digest.Compute("other"u8).ToString(), image.Manifest);
        await put.AssertErrorAsync(HttpStatusCode.BadRequest, "DIGEST_INVALID");
        using var ok = await _client.PutManifestAsync(repo, image.Digest.ToString(), image.Manifest);
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        Assert.Equal(image.Digest.ToString(), ok.Header("Docker-Content-Digest"));
    }

    [Fact]
    public async Task PutManifest_FourMiB_IsAccepted_LargerIs413()
    {
        var repo = OciClient.NewRepo();
        var image = await _client.PushImageBlobsAsync(repo);
        string Padded(int size)
        {
            var prefix = image.Manifest[..^1] + ",\"annotations\":{\"pad\":\"";
            return prefix + new string('x', size - prefix.Length - 3) + "\"}}";
        }

        using var fits = await _client.PutManifestAsync(repo, "big", Padded(4 * 1024 * 1024));
        Assert.Equal(HttpStatusCode.Created, fits.StatusCode);
        using var tooBig = await _client.PutManifestAsync(repo, "bigger", Padded(4 * 1024 * 1024 + 1));
        await tooBig.AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "MANIFEST_INVALID");
    }

    private static ByteArrayContent Chunk(byte[] content, int offset, int length)
    {
        var chunk = new ByteArrayContent(content, offset, length);
        chunk.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + length - 1}");
        chunk.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return chunk;
    }
}
