using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using U7s.Oci;
using U7s.S3.Registry;
using U7s.Testing;
using Xunit.Abstractions;

namespace U7s.Cli.Tests.Replicas;

/// <summary>
/// A replica killed (SIGKILL) in the middle of a manifest push leaves its share of the gc lock behind until the lease
/// expires (30 s). A collection (<c>u7s gc</c>) that meets it waits for it; the other replicas' pushes must not wait
/// with it: they are held up for at most the collection's drain wait (2 s), then go on while the lease expires.
/// </summary>
public sealed class KilledReplicaTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new("u7s-killed");

    public void Dispose() => _dir.Dispose();

    [RequiresS3Fact]
    public async Task ReplicaKilledMidPush_WithGcRunning_CostsTheOthersPushesAtMostTheDrainWait()
    {
        var total = Stopwatch.StartNew();
        await using var s3 = await S3TestStore.CreateAsync();
        var environment = new Dictionary<string, string>(s3.ServeEnvironment);
        await using var a = await U7sProcess.StartAsync(_dir.Combine("a"), _dir.Combine("sa"), environment);
        await using var b = await U7sProcess.StartAsync(_dir.Combine("b"), _dir.Combine("sb"), environment);
        var (manifest, blobs) = await PushBlobsAsync(new Uri(a.RegistryUrl, "/"));

        // Kill a third replica while it pushes, until it dies holding a live share of the lock.
        var (victim, attempts) = (0, 0);
        while (victim == 0)
        {
            Assert.True(++attempts <= 10, "no replica died inside a push in 10 tries");
            var c = await U7sProcess.StartAsync(_dir.Combine($"c{attempts}"), _dir.Combine($"sc{attempts}"), environment);
            using var http = new HttpClient { BaseAddress = c.RegistryUrl };
            using var stop = new CancellationTokenSource();
            var pushing = Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    try
                    {
                        (await http.PutAsync($"/v2/app/manifests/c{i}", Manifest(manifest), stop.Token)).Dispose();
                    }
                    catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                    {
                        return;
                    }
                }
            });
            await Task.Delay(300 + (attempts * 97 % 400));
            await c.KillAsync();
            await stop.CancelAsync();
            await pushing;
            if (await LiveSharesOfAsync(s3, c.Pid) > 0)
            {
                victim = c.Pid;
            }

            await c.DisposeAsync();
        }

        // A collection beside the two live replicas, and their pushes measured meanwhile.
        using var gc = StartGc(environment);
        var waits = new List<TimeSpan>();
        var clients = new[] { a, b }.Select(r => new HttpClient { BaseAddress = r.RegistryUrl }).ToList();
        var measuring = Stopwatch.StartNew();
        for (var i = 0; measuring.Elapsed < TimeSpan.FromSeconds(7); i++)
        {
            var clock = Stopwatch.StartNew();
            using var put = await clients[i % 2].PutAsync($"/v2/app/manifests/m{i}", Manifest(manifest));
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            waits.Add(clock.Elapsed);
        }

        var stillLive = await LiveSharesOfAsync(s3, victim);
        gc.Kill();
        await gc.WaitForExitAsync();
        clients.ForEach(c => c.Dispose());
        var worst = waits.Max();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"replica killed inside a push on try {attempts}; u7s gc running beside it; {waits.Count} manifest pushes on the other two replicas in {measuring.Elapsed.TotalSeconds:F1} s, median {waits.Order().ElementAt(waits.Count / 2).TotalMilliseconds:F0} ms, longest {worst.TotalMilliseconds:F0} ms; whole test {total.Elapsed.TotalSeconds:F1} s"));
        Assert.True(stillLive > 0, "the killed replica's lease expired before the measurement ended: it measured nothing");
        Assert.True(worst < new S3RegistryLockOptions().DrainWait + TimeSpan.FromSeconds(1.5), $"a push waited {worst} behind a collection stuck on a dead replica's lease");
        Assert.True(waits.Count > 10, $"only {waits.Count} pushes in 7 s");
        using var reader = new HttpClient { BaseAddress = b.RegistryUrl };
        foreach (var blob in blobs)
        {
            using var response = await reader.GetAsync($"/v2/app/blobs/{blob}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    /// <summary>The shares of the lock the process <paramref name="pid"/> holds that have not expired.</summary>
    private static async Task<int> LiveSharesOfAsync(S3TestStore s3, int pid)
    {
        var live = 0;
        await foreach (var marker in s3.Bucket.ListAsync(S3RegistryLock.SharedPrefix, default))
        {
            var body = Encoding.UTF8.GetString(await s3.Bucket.ReadAllOrNullAsync(marker.Key, 1024, default) ?? []);
            var parts = body.Split(' ');
            if (body.Contains($" pid {pid} ", StringComparison.Ordinal)
                && DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(parts[0], CultureInfo.InvariantCulture)) > DateTimeOffset.UtcNow)
            {
                live++;
            }
        }

        return live;
    }

    private static Process StartGc(IReadOnlyDictionary<string, string> environment)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { U7sProcess.Dll, "gc", "--grace", "00:10:00" })
        {
            psi.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        var gc = Process.Start(psi) ?? throw new InvalidOperationException("cannot start u7s gc");
        _ = gc.StandardOutput.ReadToEndAsync();
        _ = gc.StandardError.ReadToEndAsync();
        return gc;
    }

    /// <summary>A config and a layer, and the manifest that names them.</summary>
    private static async Task<(string Manifest, Digest[] Blobs)> PushBlobsAsync(Uri registry)
    {
        using var http = new HttpClient { BaseAddress = registry };
        var config = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\"}");
        var layer = Encoding.UTF8.GetBytes("layer");
        var digests = new[] { Digest.Compute(config), Digest.Compute(layer) };
        foreach (var (content, digest) in new[] { (config, digests[0]), (layer, digests[1]) })
        {
            using var response = await http.PostAsync($"/v2/app/blobs/uploads/?digest={digest}", new ByteArrayContent(content));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        var manifest = $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciManifest}\",\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{digests[0]}\",\"size\":{config.Length}}},\"layers\":[{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"{digests[1]}\",\"size\":{layer.Length}}}]}}";
        return (manifest, digests);
    }

    private static ByteArrayContent Manifest(string json)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.OciManifest);
        return content;
    }
}
