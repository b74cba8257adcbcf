using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using U7s.Oci;
using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

/// <summary>kill -9 of the real server during concurrent pushes: what got its 201 survives, nothing partial is visible.</summary>
public sealed class CrashSafetyTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task KillDuringConcurrentPushes_AcknowledgedBlobsIntact_NoPartialBlob_UploadsExpire()
    {
        var data = _dir.Combine("data");
        var acknowledged = new ConcurrentBag<(string Repository, Digest Digest)>();
        var failures = 0;
        await using (var server = await U7sProcess.StartAsync(data, _dir.Combine("sig")))
        {
            using var client = new HttpClient { BaseAddress = server.RegistryUrl, Timeout = TimeSpan.FromSeconds(30) };
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 12).Select(w => Task.Run(async () =>
            {
                var random = new Random(w);
                var repository = $"crash/w{w}";
                for (var i = 0; i < 200 && !stop.IsCancellationRequested; i++)
                {
                    var content = new byte[random.Next(64 * 1024, 4 * 1024 * 1024)];
                    random.NextBytes(content);
                    var digest = Digest.Compute(content);
                    try
                    {
                        if (i % 2 == 0)
                        {
                            using var post = await client.PostAsync($"/v2/{repository}/blobs/uploads/?digest={digest}", new ByteArrayContent(content));
                            if (post.StatusCode == HttpStatusCode.Created)
                            {
                                acknowledged.Add((repository, digest));
                            }
                        }
                        else
                        {
                            using var post = await client.PostAsync($"/v2/{repository}/blobs/uploads/", null);
                            var half = content.Length / 2;
                            using var patch = await client.PatchAsync(post.Headers.Location, new ByteArrayContent(content, 0, half));
                            using var put = await client.PutAsync($"{patch.Headers.Location}?digest={digest}", new ByteArrayContent(content, half, content.Length - half));
                            if (put.StatusCode == HttpStatusCode.Created)
                            {
                                acknowledged.Add((repository, digest));
                            }
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                    {
                        Interlocked.Increment(ref failures);
                        return;
                    }
                }
            })).ToList();

            // Let the pushes get going, then cut the process down with SIGKILL mid-flight.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (acknowledged.Count < 40 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            await server.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        output.WriteLine($"{acknowledged.Count} pushes acknowledged before the kill; {failures} writers cut off");
        Assert.True(acknowledged.Count >= 20, $"only {acknowledged.Count} pushes completed before the kill");
        Assert.True(failures > 0, "the kill did not interrupt any push; the test proved nothing");

        // Every visible blob is complete: its bytes hash to its name.
        foreach (var file in Directory.EnumerateFiles(Path.Combine(data, "blobs"), "*", SearchOption.AllDirectories))
        {
            Assert.False(Path.GetFileName(file).StartsWith('.'), $"temp file left among blobs: {file}");
            await using var stream = File.OpenRead(file);
            Assert.Equal(Path.GetFileName(file), Convert.ToHexStringLower(await SHA256.HashDataAsync(stream)));
        }

        // Restarted: every acknowledged push is served intact; abandoned uploads are cleaned up.
        var fastExpiry = new Dictionary<string, string> { ["U7S_REGISTRY__UPLOADEXPIRY"] = "00:00:01" };
        await using var restarted = await U7sProcess.StartAsync(data, _dir.Combine("sig"), fastExpiry);
        using var verify = new HttpClient { BaseAddress = restarted.RegistryUrl };
        foreach (var (repository, digest) in acknowledged)
        {
            var bytes = await verify.GetByteArrayAsync($"/v2/{repository}/blobs/{digest}");
            Assert.Equal(digest, Digest.Compute(bytes));
        }

        var uploads = Path.Combine(data, "uploads");
        var cleanDeadline = DateTime.UtcNow.AddSeconds(20);
        while (Directory.EnumerateDirectories(uploads).Any() && DateTime.UtcNow < cleanDeadline)
        {
            await Task.Delay(200);
        }

        Assert.Empty(Directory.EnumerateDirectories(uploads));
    }

    public void Dispose() => _dir.Dispose();
}
