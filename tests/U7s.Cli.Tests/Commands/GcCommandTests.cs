using System.Net;
using System.Security.Cryptography;
using U7s.Oci;
using U7s.Cli.Tests.Support;
using U7s.Registry.Storage;
using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

/// <summary><c>u7s gc</c> against the data root of a running server.</summary>
public sealed class GcCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Gc_WhileServing_FreesOrphans_KeepsImages_DryRunFirst()
    {
        var data = _dir.Combine("data");
        await using var server = await U7sProcess.StartAsync(data, _dir.Combine("sig"));
        using var client = new HttpClient { BaseAddress = server.RegistryUrl };
        var image = await SmallImage.PushAsync(client, "gc/app", "v1", layerSize: 3000);
        var (layer, manifest) = (image.Layer, image.Manifest);
        var orphan = RandomNumberGenerator.GetBytes(7000);
        await SmallImage.PushBlobAsync(client, "gc/app", orphan);

        // Aged as a blob unused for two hours is: its last use moved back through the store itself.
        var twoHoursAgo = new ManualTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromHours(2));
        await new FileSystemBlobStore(new StoragePaths(data), twoHoursAgo).TouchAsync(Digest.Compute(orphan), default);

        var (dryCode, dryOut, _) = await RunAsync("gc", "--data", data, "--grace", "00:10:00", "--dry-run");
        Assert.Equal(0, dryCode);
        Assert.Contains($"would delete blob {Digest.Compute(orphan)} (7000 bytes)", dryOut, StringComparison.Ordinal);
        Assert.Equal(7000, (await client.GetByteArrayAsync($"/v2/gc/app/blobs/{Digest.Compute(orphan)}")).Length);

        var (code, output, _) = await RunAsync("gc", "--data", data, "--grace", "00:10:00");
        Assert.Equal(0, code);
        Assert.Contains($"deleted blob {Digest.Compute(orphan)}", output, StringComparison.Ordinal);
        Assert.Contains("1 live manifests", output, StringComparison.Ordinal);
        using var gone = await client.GetAsync($"/v2/gc/app/blobs/{Digest.Compute(orphan)}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(layer, await client.GetByteArrayAsync($"/v2/gc/app/blobs/{Digest.Compute(layer)}"));
        Assert.Equal(manifest, await client.GetStringAsync("/v2/gc/app/manifests/v1"));
    }

    [Fact]
    public async Task Gc_DefaultGrace_SparesFreshBlobs()
    {
        var data = _dir.Combine("data2");
        await using (var server = await U7sProcess.StartAsync(data, _dir.Combine("sig")))
        {
            using var client = new HttpClient { BaseAddress = server.RegistryUrl };
            var blob = RandomNumberGenerator.GetBytes(100);
            using var post = await client.PostAsync($"/v2/gc/fresh/blobs/uploads/?digest={Digest.Compute(blob)}", new ByteArrayContent(blob));
        }

        var (code, output, _) = await RunAsync("gc", "--data", data);
        Assert.Equal(0, code);
        Assert.Contains("0 blobs", output, StringComparison.Ordinal);
        Assert.Contains("1 unreferenced blobs and 0 untagged manifests spared", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--grace", "-01:00:00")]
    [InlineData("--grace", "soon")]
    public async Task Gc_BadArguments_NonZeroExit(string option, string value)
    {
        var (code, _, error) = await RunAsync("gc", "--data", _dir.Path, option, value);
        Assert.NotEqual(0, code);
        Assert.NotEmpty(error);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:09:59")]
    public async Task Gc_GraceBelowTheMinimum_IsRefused_NothingDeleted(string grace)
    {
        var data = _dir.Combine("short");
        var orphan = RandomNumberGenerator.GetBytes(100);
        var twoHoursAgo = new ManualTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromHours(2));
        await new FileSystemBlobStore(new StoragePaths(data), twoHoursAgo).PutAsync(Digest.Compute(orphan), orphan, default);

        var (code, output, error) = await RunAsync("gc", "--data", data, "--grace", grace);

        Assert.NotEqual(0, code);
        Assert.Contains("below the minimum 00:10:00", error, StringComparison.Ordinal);
        Assert.DoesNotContain("deleted", output, StringComparison.Ordinal);
        Assert.NotNull(await new FileSystemBlobStore(new StoragePaths(data), TimeProvider.System).GetSizeOrNullAsync(Digest.Compute(orphan), default));
    }

    [Fact]
    public async Task Gc_MissingDataRoot_OneLineError()
    {
        var (code, _, error) = await RunAsync("gc", "--data", _dir.Combine("absent"));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("u7s: data root", error, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    public void Dispose() => _dir.Dispose();
}
