using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using U7s.Oci;

namespace U7s.Registry.Tests.Http;

/// <summary>Configured limits, timeouts and the audit log, each on its own server.</summary>
public sealed class LimitsTests
{
    [Fact]
    public async Task UploadPastMaxUploadBytes_IsRefused_AndNothingStored()
    {
        var server = new RegistryServer();
        server.Options.MaxUploadBytes = 1000;
        await server.InitializeAsync();
        try
        {
            var content = RandomNumberGenerator.GetBytes(1001);
            using var single = await server.Client.PostAsync($"/v2/lim/a/blobs/uploads/?digest={Digest.Compute(content)}", new ByteArrayContent(content));
            await single.AssertErrorAsync(HttpStatusCode.BadRequest, "SIZE_INVALID");

            using var post = await server.Client.PostAsync("/v2/lim/a/blobs/uploads/", null);
            using var first = await server.Client.PatchAsync(post.Headers.Location, new ByteArrayContent(content, 0, 600));
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
            using var second = await server.Client.PatchAsync(post.Headers.Location, new ByteArrayContent(content, 600, 401));
            await second.AssertErrorAsync(HttpStatusCode.BadRequest, "SIZE_INVALID");
            using var status = await server.Client.GetAsync(post.Headers.Location);
            Assert.Equal("0-599", status.Header("Range"));
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(server.DataRoot, "blobs"), "*", SearchOption.AllDirectories));
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task SlowRequestHeaders_ConnectionIsDropped()
    {
        var server = new RegistryServer();
        server.Options.RequestHeadersTimeout = TimeSpan.FromSeconds(1);
        await server.InitializeAsync();
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, server.BaseUri.Port);
            var stream = tcp.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /v2/ HTTP/1.1\r\nHost: x\r\n"));
            stream.ReadTimeout = 10_000;
            var buffer = new byte[1024];
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            var answer = Encoding.ASCII.GetString(buffer, 0, read);
            Assert.True(read == 0 || answer.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), answer);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task PushesAndDeletes_AreAuditedAsJsonLines()
    {
        var server = new RegistryServer();
        await server.InitializeAsync();
        try
        {
            var image = await server.Client.PushImageAsync("audit/app", "v1");
            using (await server.Client.DeleteAsync("/v2/audit/app/manifests/v1"))
            using (await server.Client.DeleteAsync($"/v2/audit/app/manifests/{image.Digest}"))
            using (await server.Client.DeleteAsync($"/v2/audit/app/blobs/{image.LayerDigest}"))
            {
            }

            var lines = await File.ReadAllLinesAsync(Path.Combine(server.DataRoot, "audit.log"));
            var events = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal(["manifest.push", "tag.delete", "manifest.delete", "blob.delete"], events.Select(e => e.GetProperty("action").GetString()));
            Assert.All(events, e => Assert.Equal("audit/app", e.GetProperty("repository").GetString()));
            Assert.Equal(image.Digest.ToString(), events[0].GetProperty("digest").GetString());
            Assert.Equal("v1", events[0].GetProperty("tag").GetString());
            Assert.Equal("127.0.0.1", events[0].GetProperty("remote").GetString());
            Assert.True(DateTimeOffset.UtcNow - events[0].GetProperty("time").GetDateTimeOffset() < TimeSpan.FromMinutes(1));
            Assert.Equal(image.LayerDigest.ToString(), events[3].GetProperty("digest").GetString());
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
