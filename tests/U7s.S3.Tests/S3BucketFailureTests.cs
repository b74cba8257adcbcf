using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Microsoft.AspNetCore.Http;
using U7s.Oci;
using U7s.Testing;

namespace U7s.S3.Tests;

/// <summary>
/// A store that stops answering, fails or refuses, played by a real Kestrel server on 127.0.0.1 the SDK talks to:
/// every call ends within its deadline, and always as one <see cref="StorageException"/> that says which.
/// </summary>
public sealed class S3BucketFailureTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(500);

    /// <summary>Far above the deadline, far below "forever".</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task SilentStore_EveryKindOfCall_FailsUnavailable_WithinTheDeadline()
    {
        await using var server = await HostileServer.StartAsync(s => s.Map("/{**path}", Silent));
        using var bucket = Open(server.BaseAddress);
        var calls = new (string Name, Func<Task> Call)[]
        {
            ("HEAD", () => bucket.HeadOrNullAsync("registry/blobs/x", default)),
            ("GET", () => bucket.GetOrNullAsync("registry/blobs/x", 0, null, default)),
            ("PUT if absent", () => bucket.PutIfAbsentAsync("registry/uploads/x/state", "{}"u8.ToArray(), default)),
            ("LIST", () => bucket.ListAsync("registry/", default).ToListAsync().AsTask()),
            ("DELETE", () => bucket.DeleteAsync("registry/uploads/x/state", default)),
            ("start multipart upload", () => bucket.StartMultipartAsync("registry/uploads/x/data", default)),
            ("HEAD bucket", () => bucket.ProbeAsync(Deadline, default)),
        };

        foreach (var (name, call) in calls)
        {
            var clock = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<StorageException>(call);
            clock.Stop();

            Assert.True(e.IsUnavailable, $"{name}: {e.Message}");
            Assert.InRange(clock.Elapsed, Deadline - TimeSpan.FromMilliseconds(50), Bound);
            Assert.StartsWith($"s3://u7s/p/ at {server.BaseAddress.ToString().TrimEnd('/')} did not answer {name}", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
        }
    }

    [Fact]
    public async Task StoreThatStopsMidObject_FailsTheRead_WithinTheDeadline()
    {
        await using var server = await HostileServer.StartAsync(s => s.Map("/{**path}", async context =>
        {
            // As a store answers a GET: the SDK expects the ETag and checks the body against it once read.
            context.Response.ContentLength = 1000;
            context.Response.Headers.ETag = "\"0123456789abcdef0123456789abcdef\"";
            await context.Response.Body.WriteAsync(new byte[10], context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Silent(context);
        }));
        await WarmUpGetAsync();
        using var bucket = Open(server.BaseAddress);
        using var download = await bucket.GetOrNullAsync("registry/blobs/x", 0, null, default);
        Assert.NotNull(download);
        var buffer = new byte[1000];
        var read = 0;

        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<StorageException>(async () =>
        {
            while (true)
            {
                read += await download.Body.ReadAsync(buffer.AsMemory(read));
            }
        });

        Assert.Equal(10, read);
        Assert.True(e.IsUnavailable);
        Assert.InRange(clock.Elapsed, Deadline - TimeSpan.FromMilliseconds(50), Bound);
        Assert.Contains("did not answer GET registry/blobs/x", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(503, "SlowDown", StorageFailure.Unavailable, "failed PUT k: 503 SlowDown: please slow down")]
    [InlineData(500, "InternalError", StorageFailure.Unavailable, "failed PUT k: 500 InternalError: please slow down")]
    [InlineData(403, "AccessDenied", StorageFailure.Refused, "refused PUT k: 403 AccessDenied: please slow down")]
    [InlineData(404, "NoSuchBucket", StorageFailure.Refused, "refused PUT k: 404 NoSuchBucket: please slow down")]
    public async Task StoreThatAnswersAnError_IsUnavailableOnlyFor5xx(int status, string code, StorageFailure failure, string expected)
    {
        await using var server = await HostileServer.StartAsync(s => s.Map("/{**path}", async context =>
        {
            context.Response.StatusCode = status;
            context.Response.Headers["x-amz-error-code"] = code;
            context.Response.ContentType = "application/xml";
            if (!HttpMethods.IsHead(context.Request.Method))
            {
                await context.Response.WriteAsync($"<Error><Code>{code}</Code><Message>please slow down</Message></Error>");
            }
        }));

        // The SDK retries a 5xx a few times, with back-off: time for that, so the answer itself is what fails.
        using var bucket = Open(server.BaseAddress, TimeSpan.FromSeconds(20));

        var e = await Assert.ThrowsAsync<StorageException>(() => bucket.PutAsync("k", "v"u8.ToArray(), default));
        var probe = await Assert.ThrowsAsync<StorageException>(() => bucket.ProbeAsync(Bound, default));

        Assert.Equal(failure, probe.Failure);
        Assert.EndsWith($"HEAD bucket: {status} {probe.Message.Split(' ')[^1]}", probe.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), e.Message);
        Assert.Equal(failure, e.Failure);
    }

    [Fact]
    public async Task ClosedPort_IsUnavailable_CannotReach()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var bucket = Open(new Uri($"http://127.0.0.1:{port}/"), Bound);

        var e = await Assert.ThrowsAsync<StorageException>(() => bucket.HeadOrNullAsync("k", default));

        Assert.True(e.IsUnavailable);
        Assert.StartsWith($"cannot reach s3://u7s/p/ at http://127.0.0.1:{port} (HEAD k): ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallerCancellation_StaysACancellation_NotAStoreFailure()
    {
        await using var server = await HostileServer.StartAsync(s => s.Map("/{**path}", Silent));
        using var bucket = Open(server.BaseAddress, TimeSpan.FromMinutes(1));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => bucket.HeadOrNullAsync("k", cancel.Token));

        Assert.True(cancel.IsCancellationRequested, e.Message);
    }

    [Fact]
    public async Task Copy_GetsOneMoreSecondPer16MiB_OnTopOfTheRequestDeadline()
    {
        await using var server = await HostileServer.StartAsync(s => s.Map("/{**path}", Silent));
        using var bucket = Open(server.BaseAddress);

        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<StorageException>(() => bucket.CopyAsync("a", "b", S3Bucket.TransferBytesPerSecond, default));

        Assert.True(e.IsUnavailable);
        Assert.InRange(clock.Elapsed, Deadline + TimeSpan.FromMilliseconds(900), Deadline + Bound);
        Assert.Contains("within 0:00:01.5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RequestTimeout_DefaultTenSeconds_OutOfRangeRefused()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), new S3StorageOptions { Bucket = "u7s" }.RequestTimeout);
        Assert.Empty(new S3StorageOptions { Bucket = "u7s" }.Validate());
        Assert.Contains(new S3StorageOptions { Bucket = "u7s", RequestTimeout = TimeSpan.Zero }.Validate(), p => p.StartsWith("S3:RequestTimeout", StringComparison.Ordinal));
        Assert.Contains(new S3StorageOptions { Bucket = "u7s", RequestTimeout = TimeSpan.FromHours(2) }.Validate(), p => p.StartsWith("S3:RequestTimeout", StringComparison.Ordinal));
    }

    /// <summary>What a frozen radosgw does: takes the connection and the request, and never answers.</summary>
    /// <summary>
    /// One GET through the SDK first, against a store that answers at once: the first call of a process compiles the
    /// SDK's whole request path, which on a loaded 2-core machine took longer than the 0.5 s deadline by itself, and
    /// the test then failed before the store had sent its headers.
    /// </summary>
    private static async Task WarmUpGetAsync()
    {
        await using var quick = await HostileServer.StartAsync(s => s.Map("/{**path}", async context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.ContentType = "application/xml";
            await context.Response.WriteAsync("<Error><Code>NoSuchKey</Code><Message>none</Message></Error>", context.RequestAborted);
        }));
        using var bucket = Open(quick.BaseAddress, Bound);
        Assert.Null(await bucket.GetOrNullAsync("registry/blobs/x", 0, null, default));
    }

    private static async Task Silent(HttpContext context)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static S3Bucket Open(Uri endpoint, TimeSpan? timeout = null)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = endpoint.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        return new S3Bucket(new AmazonS3Client(new BasicAWSCredentials("access", "secret"), config), "u7s", "p/", timeout ?? Deadline);
    }
}
