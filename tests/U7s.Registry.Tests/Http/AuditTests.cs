using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using U7s.Oci;
using U7s.Registry.Tests.Storage;

namespace U7s.Registry.Tests.Http;

/// <summary>The audit log: one JSON line per committed change, whatever the client does after sending its request.</summary>
public sealed class AuditTests : IAsyncLifetime
{
    private readonly RegistryServer _server = new();

    private HttpClient Client => _server.Client;

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task PushesMountsAndDeletes_AreAuditedAsJsonLines()
    {
        var image = await Client.PushImageAsync("audit/app", "v1");
        var chunked = RandomNumberGenerator.GetBytes(1000);
        using (var post = await Client.PostAsync("/v2/audit/app/blobs/uploads/", null))
        using (await Client.PatchAsync(post.Headers.Location, new ByteArrayContent(chunked)))
        using (var put = await Client.PutAsync($"{post.Headers.Location}?digest={Digest.Compute(chunked)}", null))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using (var mount = await Client.PostAsync($"/v2/audit/copy/blobs/uploads/?mount={image.LayerDigest}&from=audit/app", null))
        {
            Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        }

        using (await Client.DeleteAsync("/v2/audit/app/manifests/v1"))
        using (await Client.DeleteAsync($"/v2/audit/app/manifests/{image.Digest}"))
        using (await Client.DeleteAsync($"/v2/audit/app/blobs/{image.LayerDigest}"))
        {
        }

        var events = await ReadAuditAsync();
        Assert.Equal(
            ["blob.push", "blob.push", "manifest.push", "blob.push", "blob.mount", "tag.delete", "manifest.delete", "blob.delete"],
            events.Select(e => e.GetProperty("action").GetString()));
        Assert.Equal(
            [image.ConfigDigest.ToString(), image.LayerDigest.ToString(), image.Digest.ToString(), Digest.Compute(chunked).ToString(), image.LayerDigest.ToString()],
            events.Take(5).Select(e => e.GetProperty("digest").GetString()));
        Assert.Equal("v1", events[2].GetProperty("tag").GetString());
        Assert.Equal("audit/copy", events[4].GetProperty("repository").GetString());
        Assert.Equal("audit/app", events[4].GetProperty("from").GetString());
        Assert.All(events.Where(e => e.GetProperty("action").GetString() != "blob.mount"), e => Assert.Equal("audit/app", e.GetProperty("repository").GetString()));
        Assert.All(events, e => Assert.Equal("127.0.0.1", e.GetProperty("remote").GetString()));
        Assert.True(DateTimeOffset.UtcNow - events[0].GetProperty("time").GetDateTimeOffset() < TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task ClientResetsWhileItsChangeWaits_TheChangeIsStillMadeAndAudited()
    {
        const int Requests = 4;
        var manifests = new List<(string Tag, TestImage Image)>();
        var uploads = new List<(string Location, Digest Digest)>();
        for (var i = 0; i < Requests; i++)
        {
            manifests.Add(($"t{i}", await Client.PushImageBlobsAsync("audit/reset", layerSize: 100)));

            // The content is stored already (under another repository): committing it takes the registry lock.
            var bytes = RandomNumberGenerator.GetBytes(5000);
            await Client.PushBlobAsync("audit/elsewhere", bytes);
            using var post = await Client.PostAsync("/v2/audit/reset/blobs/uploads/", null);
            using (await Client.PatchAsync(post.Headers.Location, new ByteArrayContent(bytes)))
            {
            }

            uploads.Add((post.Headers.Location!.OriginalString, Digest.Compute(bytes)));
        }

        var before = (await ReadAuditAsync()).Count;
        var connections = new List<Socket>();
        var collection = new FileSystemTestStorage(_server.DataRoot).Open(TimeProvider.System).Lock;
        await using (await collection.EnterExclusiveAsync(default))
        {
            // Held by a collection: each request arrives whole and waits at the lock, where its client resets.
            foreach (var ((tag, image), (location, digest)) in manifests.Zip(uploads))
            {
                var body = Encoding.UTF8.GetBytes(image.Manifest);
                connections.Add(await SendAsync($"PUT /v2/audit/reset/manifests/{tag} HTTP/1.1\r\nHost: x\r\nContent-Type: {MediaTypes.OciManifest}\r\nContent-Length: {body.Length}\r\n\r\n", body));
                connections.Add(await SendAsync($"PUT {location}?digest={digest} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", []));
            }

            await Task.Delay(500);
            foreach (var socket in connections)
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }

            await Task.Delay(300);
        }

        var stored = new List<string>();
        var audited = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline && (stored.Count < 2 * Requests || audited.Count < 2 * Requests))
        {
            await Task.Delay(100);
            stored = await StoredAsync(manifests, uploads);
            audited = (await ReadAuditAsync()).Skip(before).Select(e => e.TryGetProperty("tag", out var tag)
                ? $"manifest {tag.GetString()}"
                : $"blob {e.GetProperty("digest").GetString()}").ToList();
        }

        Assert.Equal(2 * Requests, stored.Count);
        Assert.Equal(stored.Order(), audited.Order());
    }

    /// <summary>Which of the changes the server made: manifests readable by their tag, blobs readable by their digest.</summary>
    private async Task<List<string>> StoredAsync(List<(string Tag, TestImage Image)> manifests, List<(string Location, Digest Digest)> uploads)
    {
        var stored = new List<string>();
        foreach (var (tag, _) in manifests)
        {
            using var get = await Client.GetAsync($"/v2/audit/reset/manifests/{tag}");
            if (get.StatusCode == HttpStatusCode.OK)
            {
                stored.Add($"manifest {tag}");
            }
        }

        foreach (var (_, digest) in uploads)
        {
            using var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/audit/reset/blobs/{digest}"));
            if (head.StatusCode == HttpStatusCode.OK)
            {
                stored.Add($"blob {digest}");
            }
        }

        return stored;
    }

    /// <summary>Sends a whole request on a raw connection and returns the connection, not waiting for an answer.</summary>
    private async Task<Socket> SendAsync(string head, byte[] body)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _server.BaseUri.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes(head).Concat(body).ToArray());
        return socket;
    }

    private async Task<List<JsonElement>> ReadAuditAsync()
    {
        var path = Path.Combine(_server.DataRoot, "audit.log");
        return File.Exists(path)
            ? (await File.ReadAllLinesAsync(path)).Select(l => JsonDocument.Parse(l).RootElement).ToList()
            : [];
    }
}
