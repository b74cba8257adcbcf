using System.Diagnostics;
using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using U7s.Oci;
using U7s.Registry.Storage;
using U7s.S3;
using U7s.S3.Registry;
using U7s.Testing;

namespace U7s.Registry.Tests.Http;

/// <summary>
/// Liveness and readiness: <c>/livez</c> answers while the process serves, <c>/readyz</c> (and <c>/healthz</c>) only
/// while the store answers; a request whose store does not answer is 503 UNAVAILABLE within the store's deadline.
/// </summary>
public sealed class HealthTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task HealthyStore_AllThreeChecksOk()
    {
        await using var server = await StartAsync(new RegistryServer());
        foreach (var path in new[] { "/livez", "/readyz", "/healthz" })
        {
            using var response = await server.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("ok\n", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task DataRootGone_ReadinessTurns503_LivenessStays_AndBothRecoverWhenItIsBack()
    {
        await using var server = await StartAsync(new RegistryServer());
        await server.Client.PushImageAsync(OciClient.NewRepo(), "v1");
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/readyz")).StatusCode);
        var away = server.DataRoot + ".away";
        Directory.Move(server.DataRoot, away);
        try
        {
            // The verdict cached before the move stands for up to StoreReadiness.Reuse, and a timer may fire a
            // millisecond before that has passed: wait for the first probe that sees the root gone.
            await WaitForAsync(server.Client, "/readyz", HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(5));
            foreach (var path in new[] { "/readyz", "/healthz" })
            {
                using var response = await server.Client.GetAsync(path);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.Equal("unavailable: the store does not answer\n", await response.Content.ReadAsStringAsync());
            }

            Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/livez")).StatusCode);
            Assert.Contains(server.Logs.Entries, e => e.Message.StartsWith("The store does not answer (data root", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Move(away, server.DataRoot);
        }

        await WaitForAsync(server.Client, "/readyz", HttpStatusCode.OK, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task StoreThatStopsAnswering_BlobGetAndUploadPost_Are503Unavailable_WithinTheDeadline_AndReadinessFollows()
    {
        await using var silent = await HostileServer.StartAsync(s => s.Map("/{**path}", async context =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        }));
        using var bucket = SilentBucket(silent.BaseAddress);
        var server = new RegistryServer
        {
            ConfigureServices = s => s
                .AddSingleton<IBlobStore>(new S3BlobStore(bucket, new S3StorageOptions { Bucket = "u7s" }, TimeProvider.System))
                .AddSingleton<IMetadataStore>(new S3MetadataStore(bucket))
                .AddSingleton<IRegistryLock>(new S3RegistryLock(bucket, TimeProvider.System, new S3RegistryLockOptions(), NullLogger<S3RegistryLock>.Instance))
                .AddSingleton<IStorageProbe>(new S3StorageProbe(bucket)),
        };
        server.Options.ReadinessTimeout = Deadline;
        await using var _ = await StartAsync(server);
        var blob = Digest.Compute("layer"u8);

        foreach (var (method, path) in new[] { ("GET", $"/v2/app/blobs/{blob}"), ("POST", "/v2/app/blobs/uploads/"), ("GET", "/v2/app/manifests/v1") })
        {
            var clock = Stopwatch.StartNew();
            using var response = await server.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            clock.Stop();

            await response.AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "UNAVAILABLE");
            Assert.Equal("5", response.Header("Retry-After"));
            Assert.InRange(clock.Elapsed, Deadline - TimeSpan.FromMilliseconds(50), Deadline + TimeSpan.FromSeconds(2));
        }

        Assert.Contains(server.Logs.Entries, e => e.Message.StartsWith($"Store unavailable during GET /v2/app/blobs/{blob}: s3://u7s/ at ", StringComparison.Ordinal)
            && e.Message.Contains(" did not answer ", StringComparison.Ordinal) && e.Message.EndsWith(" within 0:00:00.5", StringComparison.Ordinal));

        // Readiness knows at once, and keeps answering fast while the store stays silent; liveness is unaffected.
        for (var i = 0; i < 4; i++)
        {
            var clock = Stopwatch.StartNew();
            using var ready = await server.Client.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.True(clock.Elapsed < Deadline + TimeSpan.FromMilliseconds(500), $"/readyz took {clock.Elapsed}");
            Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/livez")).StatusCode);
            await Task.Delay(Health.StoreReadiness.Reuse / 2);
        }
    }

    private static async Task<RegistryServer> StartAsync(RegistryServer server)
    {
        await server.InitializeAsync();
        return server;
    }

    private static async Task WaitForAsync(HttpClient client, string path, HttpStatusCode status, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        HttpStatusCode last;
        do
        {
            using var response = await client.GetAsync(path);
            last = response.StatusCode;
            if (last == status)
            {
                return;
            }

            await Task.Delay(100);
        }
        while (clock.Elapsed < within);
        Assert.Fail($"{path} still answered {(int)last} after {within}");
    }

    private static S3Bucket SilentBucket(Uri endpoint) => new(
        new AmazonS3Client(new BasicAWSCredentials("access", "secret"), new AmazonS3Config { ServiceURL = endpoint.ToString(), ForcePathStyle = true, AuthenticationRegion = "us-east-1" }),
        "u7s",
        string.Empty,
        Deadline);
}
