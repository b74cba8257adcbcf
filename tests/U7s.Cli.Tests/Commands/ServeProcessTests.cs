using System.Net;
using System.Security.Cryptography;
using U7s.Oci;
using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

/// <summary>The real <c>u7s serve</c> process: both ports, and memory that stays flat while gigabytes stream through.</summary>
public sealed class ServeProcessTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private const long OneGiB = 1024L * 1024 * 1024;
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task BothPorts_Answer()
    {
        Directory.CreateDirectory(_dir.Combine("sig", "keys"));
        await File.WriteAllTextAsync(_dir.Combine("sig", "keys", "imagemaker.pgp"), "key");
        await using var server = await U7sProcess.StartAsync(_dir.Combine("data"), _dir.Combine("sig"));
        using var client = new HttpClient();
        using var v2 = await client.GetAsync(new Uri(server.RegistryUrl, "/v2/"));
        Assert.Equal(HttpStatusCode.OK, v2.StatusCode);
        Assert.Equal("ok\n", await client.GetStringAsync(new Uri(server.RegistryUrl, "/healthz")));
        var keys = await client.GetStringAsync(new Uri(server.SigstoreUrl, "/keys/"));
        Assert.Contains("\"name\":\"imagemaker.pgp\"", keys, StringComparison.Ordinal);
        using var missing = await client.GetAsync(new Uri(server.SigstoreUrl, "/sigstore/ns/app@sha256=00/signature-1"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    /// <summary>
    /// A service may start in a working directory that is gone (or that its user cannot read): the host's content
    /// root is the program's directory, never the working directory. Before, the start failed with "cannot create
    /// the data directories: Unable to find the specified file".
    /// </summary>
    [Fact]
    public async Task Starts_InARemovedWorkingDirectory()
    {
        var cwd = _dir.Combine("gone");
        Directory.CreateDirectory(cwd);

        await using var server = await U7sProcess.StartAsync(
            ["sh", "-c", "cd \"$0\" && rmdir \"$0\" && exec dotnet \"$@\"", cwd, U7sProcess.Dll], _dir.Combine("data"), _dir.Combine("sig"), new Dictionary<string, string>());

        Assert.False(Directory.Exists(cwd));
        using var client = new HttpClient();
        Assert.Equal("ok\n", await client.GetStringAsync(new Uri(server.RegistryUrl, "/readyz")));
        using var missing = await client.GetAsync(new Uri(server.SigstoreUrl, "/sigstore/ns/app@sha256=00/signature-1"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    /// <summary>A 1 GiB layer pushed (single request and chunked) and pulled back: the server's peak RSS stays far below the blob.</summary>
    [Fact]
    public async Task OneGiBPushAndPull_PeakRssStaysFlat()
    {
        await using var server = await U7sProcess.StartAsync(_dir.Combine("data"), _dir.Combine("sig"));
        using var client = new HttpClient { BaseAddress = server.RegistryUrl, Timeout = TimeSpan.FromMinutes(10) };
        var baseline = server.PeakRssBytes();

        var source = new GeneratedStream(OneGiB, 42);
        Digest digest;
        using var post = await client.PostAsync("/v2/big/blob/blobs/uploads/", null);
        using (var body = new StreamContent(source, 1024 * 1024))
        using (var patch = await client.PatchAsync(post.Headers.Location, body))
        {
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            Assert.Equal($"0-{OneGiB - 1}", string.Join(",", patch.Headers.GetValues("Range")));
            digest = source.Digest;
        }

        using (var put = await client.PutAsync($"{post.Headers.Location}?digest={digest}", null))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using (var response = await client.GetAsync($"/v2/big/blob/blobs/{digest}", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(OneGiB, response.Content.Headers.ContentLength);
            await using var stream = await response.Content.ReadAsStreamAsync();
            using var sha = SHA256.Create();
            var pulled = Digest.FromSha256Hash(await sha.ComputeHashAsync(stream));
            Assert.Equal(digest, pulled);
        }

        var peak = server.PeakRssBytes();
        output.WriteLine($"u7s serve peak RSS: baseline {baseline / (1024 * 1024)} MiB, after 1 GiB push+pull {peak / (1024 * 1024)} MiB");
        Assert.True(peak - baseline < 200L * 1024 * 1024, $"peak RSS grew by {(peak - baseline) / (1024 * 1024)} MiB while 1 GiB streamed (baseline {baseline / (1024 * 1024)} MiB)");
    }

    public void Dispose() => _dir.Dispose();
}
