using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using U7s.Oci;
using U7s.Testing;
using Xunit.Abstractions;

namespace U7s.Cli.Tests.Replicas;

/// <summary>
/// A replica whose radosgw stops answering without failing (SIGSTOP, by the PID <c>tools/s3-server.sh</c> records):
/// requests that need the store are answered 503 within the deadline instead of waiting out the stall, readiness
/// turns 503 so a load balancer takes the replica out, liveness stays 200, and after SIGCONT everything answers again
/// with nothing lost, an upload that was half done included. The gateway is the test's own, over the same cluster, so
/// no other test's store stalls.
/// </summary>
public sealed class StoreStallTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Short deadlines, so the test is quick; the product's defaults are 10 s and 2 s.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ReadinessTimeout = TimeSpan.FromSeconds(1);

    private readonly TempDirectory _dir = new("u7s-stall");

    public void Dispose() => _dir.Dispose();

    // A freshly started gateway on a loaded 2-core machine can take longer than the test's short deadline for the
    // replica's first call (create bucket); that start is not what this test is about, so it gets three tries.
    private async Task<U7sProcess> StartReplicaAsync(IReadOnlyDictionary<string, string> environment)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await U7sProcess.StartAsync(_dir.Combine($"data{attempt}"), _dir.Combine($"sig{attempt}"), environment);
            }
            catch (InvalidOperationException e) when (attempt < 3 && e.Message.Contains("did not answer", StringComparison.Ordinal))
            {
                output.WriteLine($"start {attempt}: {e.Message}");
            }
        }
    }

    [RequiresS3GatewayFact]
    public async Task FrozenRadosgw_RequestsAndReadinessAnswer503WithinTheDeadline_AndAfterSigcontNothingIsLost()
    {
        var total = Stopwatch.StartNew();
        await using var gateway = await S3Gateway.StartAsync();
        await using var s3 = await S3TestStore.CreateAsync(endpoint: gateway.Endpoint);
        var environment = new Dictionary<string, string>(s3.ServeEnvironment)
        {
            ["U7S_S3__REQUESTTIMEOUT"] = Deadline.ToString("c", CultureInfo.InvariantCulture),
            ["U7S_REGISTRY__READINESSTIMEOUT"] = ReadinessTimeout.ToString("c", CultureInfo.InvariantCulture),
            ["U7S_S3__PARTBYTES"] = (5 * 1024 * 1024).ToString(CultureInfo.InvariantCulture),
        };
        await using var replica = await StartReplicaAsync(environment);
        using var http = new HttpClient { BaseAddress = replica.RegistryUrl, Timeout = TimeSpan.FromMinutes(2) };

        // Before the stall: an image, and an upload with a part and a tail stored.
        var layer = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);
        var layerDigest = await PushBlobAsync(http, layer);
        var config = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\"}");
        var manifest = $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciManifest}\",\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{await PushBlobAsync(http, config)}\",\"size\":{config.Length}}},\"layers\":[{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"{layerDigest}\",\"size\":{layer.Length}}}]}}";
        using (var put = await http.PutAsync("/v2/app/manifests/v1", Manifest(manifest)))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        var upload = RandomNumberGenerator.GetBytes(7 * 1024 * 1024);
        using var started = await http.PostAsync("/v2/app/blobs/uploads/", null);
        var location = started.Headers.Location!;
        using (var first = await PatchAsync(http, location, upload, 0, 6 * 1024 * 1024))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
            location = first.Headers.Location!;
        }

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);

        await gateway.FreezeAsync();
        var frozen = Stopwatch.StartNew();
        TimeSpan readyAfter, longestCheck = TimeSpan.Zero;
        var waits = new List<(string What, TimeSpan Took)>();
        try
        {
            // Readiness: a probe's answer stands a second; then a check waits at most the readiness timeout.
            while (true)
            {
                var (status, took) = await TimedAsync(() => http.GetAsync("/readyz"));
                longestCheck = took > longestCheck ? took : longestCheck;
                Assert.True(took < ReadinessTimeout + TimeSpan.FromSeconds(1), $"/readyz took {took}");
                if (status == HttpStatusCode.ServiceUnavailable)
                {
                    readyAfter = frozen.Elapsed;
                    break;
                }

                Assert.True(frozen.Elapsed < TimeSpan.FromSeconds(10), "/readyz still answered 200 10 s into the stall");
                await Task.Delay(100);
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await TimedAsync(() => http.GetAsync("/healthz"))).Status);
            var live = await TimedAsync(() => http.GetAsync("/livez"));
            Assert.Equal(HttpStatusCode.OK, live.Status);
            Assert.True(live.Took < TimeSpan.FromSeconds(1), $"/livez took {live.Took}");

            // Requests that need the store: 503 UNAVAILABLE once the deadline passed, not when the stall ends.
            foreach (var (what, send) in new (string, Func<Task<HttpResponseMessage>>)[]
            {
                ("GET blob", () => http.GetAsync($"/v2/app/blobs/{layerDigest}")),
                ("POST upload", () => http.PostAsync("/v2/app/blobs/uploads/", null)),
                ("PATCH upload", () => PatchAsync(http, location, upload, 6 * 1024 * 1024, upload.Length)),
                ("GET manifest", () => http.GetAsync("/v2/app/manifests/v1")),
            })
            {
                var clock = Stopwatch.StartNew();
                using var response = await send();
                var took = clock.Elapsed;
                waits.Add((what, took));
                Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                Assert.Contains("\"code\":\"UNAVAILABLE\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                Assert.InRange(took, Deadline - TimeSpan.FromMilliseconds(100), Deadline + TimeSpan.FromSeconds(3));
            }
        }
        finally
        {
            await gateway.ThawAsync();
        }

        var stall = frozen.Elapsed;
        var thawed = Stopwatch.StartNew();
        while ((await http.GetAsync("/readyz")).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(thawed.Elapsed < TimeSpan.FromSeconds(30), "/readyz did not answer 200 again within 30 s of SIGCONT");
            await Task.Delay(100);
        }

        var readyAgain = thawed.Elapsed;

        // Nothing lost: the image as pushed, and the upload goes on from what it had stored.
        Assert.Equal(layer, await http.GetByteArrayAsync($"/v2/app/blobs/{layerDigest}"));
        Assert.Equal(manifest, await http.GetStringAsync("/v2/app/manifests/v1"));
        using (var status = await http.GetAsync(location))
        {
            Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
            Assert.Equal("0-6291455", status.Headers.GetValues("Range").Single());
        }

        using (var rest = await PatchAsync(http, location, upload, 6 * 1024 * 1024, upload.Length))
        {
            Assert.True(rest.StatusCode == HttpStatusCode.Accepted, $"{(int)rest.StatusCode} {await rest.Content.ReadAsStringAsync()}");
            location = rest.Headers.Location!;
        }

        var uploadDigest = Digest.Compute(upload);
        using (var commit = await http.PutAsync($"{location.OriginalString}{(location.OriginalString.Contains('?', StringComparison.Ordinal) ? '&' : '?')}digest={uploadDigest}", null))
        {
            Assert.Equal(HttpStatusCode.Created, commit.StatusCode);
        }

        Assert.Equal(upload, await http.GetByteArrayAsync($"/v2/app/blobs/{uploadDigest}"));
        await replica.KillAsync();
        var log = await replica.Output;
        Assert.Contains($"Store unavailable during GET /v2/app/blobs/{layerDigest}: s3://{S3TestStore.TestBucket}/", log, StringComparison.Ordinal);
        Assert.Contains("The store does not answer", log, StringComparison.Ordinal);

        var requests = string.Join(", ", waits.Select(w => string.Create(CultureInfo.InvariantCulture, $"{w.What} 503 in {w.Took.TotalSeconds:F2} s")));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"deadline {Deadline.TotalSeconds} s, readiness timeout {ReadinessTimeout.TotalSeconds} s; stall {stall.TotalSeconds:F1} s; /readyz 503 after {readyAfter.TotalSeconds:F2} s of stall (longest check {longestCheck.TotalMilliseconds:F0} ms); {requests}; /readyz 200 again {readyAgain.TotalSeconds:F2} s after SIGCONT; whole test {total.Elapsed.TotalSeconds:F1} s"));
    }

    private static async Task<(HttpStatusCode Status, TimeSpan Took)> TimedAsync(Func<Task<HttpResponseMessage>> send)
    {
        var clock = Stopwatch.StartNew();
        using var response = await send();
        return (response.StatusCode, clock.Elapsed);
    }

    private static async Task<Digest> PushBlobAsync(HttpClient http, byte[] content)
    {
        var digest = Digest.Compute(content);
        using var response = await http.PostAsync($"/v2/app/blobs/uploads/?digest={digest}", new ByteArrayContent(content));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return digest;
    }

    private static Task<HttpResponseMessage> PatchAsync(HttpClient http, Uri location, byte[] blob, int from, int to)
    {
        var content = new ByteArrayContent(blob, from, to - from);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.TryAddWithoutValidation("Content-Range", $"{from}-{to - 1}");
        return http.PatchAsync(location, content);
    }

    private static ByteArrayContent Manifest(string json)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.OciManifest);
        return content;
    }
}
