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
    public async Task OpenUploads_PastTheWritersLimit_Are429_UntilOneEnds()
    {
        var server = new RegistryServer();
        server.Options.MaxOpenUploadsPerWriter = 3;
        await server.InitializeAsync();
        try
        {
            var open = new List<Uri>();
            for (var i = 0; i < 3; i++)
            {
                using var post = await server.Client.PostAsync("/v2/lim/open/blobs/uploads/", null);
                Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
                open.Add(post.Headers.Location!);
            }

            using (var fourth = await server.Client.PostAsync("/v2/lim/other/blobs/uploads/", null))
            {
                await fourth.AssertErrorAsync(HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS");
            }

            Assert.Equal(3, Directory.GetDirectories(Path.Combine(server.DataRoot, "uploads")).Length);

            // A single-request push is no session left open: it goes through at the limit.
            var whole = RandomNumberGenerator.GetBytes(100);
            await server.Client.PushBlobAsync("lim/open", whole);

            // Cancelling one frees its slot; so does finishing one.
            using (await server.Client.DeleteAsync(open[0]))
            using (var again = await server.Client.PostAsync("/v2/lim/open/blobs/uploads/", null))
            {
                Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
            }

            using (var full = await server.Client.PostAsync("/v2/lim/open/blobs/uploads/", null))
            {
                await full.AssertErrorAsync(HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS");
            }

            using (await server.Client.PutAsync($"{open[1]}?digest={Digest.Compute(whole)}", new ByteArrayContent(whole)))
            using (var afterCommit = await server.Client.PostAsync("/v2/lim/open/blobs/uploads/", null))
            {
                Assert.Equal(HttpStatusCode.Accepted, afterCommit.StatusCode);
            }

            // One that ended without this process (removed from the storage) stops counting when the limit is hit.
            Directory.Delete(Path.Combine(server.DataRoot, "uploads", open[2].OriginalString.Split('/')[^1]), recursive: true);
            using (var afterExpiry = await server.Client.PostAsync("/v2/lim/open/blobs/uploads/", null))
            {
                Assert.Equal(HttpStatusCode.Accepted, afterExpiry.StatusCode);
            }
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
