using System.Text.Json;
using System.Text.RegularExpressions;
using U7s.Cli.Loading;
using U7s.Loader.Generator;
using U7s.Oci;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// How <c>u7s load-sign-oci</c> publishes into a running <c>u7s serve</c> (or with <c>--data</c>
/// straight into a store): a truncated archive is reported as such by both sinks, a load into a
/// new path mounts what the registry holds instead of sending it, identical runs report identical
/// counts, and the non-terminal output is a short log with every image once.
/// </summary>
public sealed partial class LoadSignOciPublishTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new("u7s-publish");

    private string Keys => _temp.Combine("keys");

    private string Policy => _temp.Combine("policy.json");

    private string Sigstore => _temp.Combine("sigstore");

    public async Task InitializeAsync()
    {
        (await CliResult.RunAsync("keys", "import", SampleKeys.PathOf("signer.sec.asc"), "--key-dir", Keys)).Ensure();
        await File.WriteAllTextAsync(Policy,
            "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"registry.local\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":"
            + JsonSerializer.Serialize(SampleKeys.PathOf("signer.pub.asc")) + "}]}}}");
    }

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("http")]
    [InlineData("data")]
    public async Task TruncatedInsideALayerStreamedToTheSink_ReportsTruncatedXzWithExitInvalidInput(string sink)
    {
        // Layers above the in-memory document limit stream from the archive into the upload itself.
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("big.tar.xz"), new GeneratorOptions { ImageCount = 1, Seed = 91, LayerBytes = 6 << 20, XzPreset = 0 }, CancellationToken.None);
        var bytes = await File.ReadAllBytesAsync(archive.Path);
        await File.WriteAllBytesAsync(archive.Path, bytes[..(bytes.Length / 2)]);
        var data = Directory.CreateDirectory(_temp.Combine("data")).FullName;
        await using var server = sink == "http" ? await U7sProcess.StartAsync(data, Sigstore) : null;
        string[] target = server is null ? ["--data", data] : ["--registry", server.RegistryUrl.ToString()];

        var result = await LoadAsync(archive.Path, null, target);

        Assert.True(result.ExitCode == ExitCodes.InvalidInput, result.Error);
        Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("u7s: cannot decode the archive: truncated xz data", result.Error, StringComparison.Ordinal);
        await using var store = server is null ? LocalRegistryStore.Open(data) : null;
        var image = Reference.Parse($"registry.local/{archive.Images[0].RefName}");
        if (store is not null)
        {
            Assert.Null(await store.Manifests.GetManifestOrNullAsync(image, CancellationToken.None));
        }
        else
        {
            using var http = new HttpClient { BaseAddress = server!.RegistryUrl };
            using var response = await http.GetAsync(new Uri($"/v2/{image.Repository}/manifests/{image.Tag}", UriKind.Relative));
            Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [Fact]
    public async Task LoadIntoNewPath_MountsEveryBlobAndCountsAreTheSameOnIdenticalRuns()
    {
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("amd64.tar.xz"), new GeneratorOptions { ImageCount = 4, Seed = 92 }, CancellationToken.None);
        var blobs = archive.Images.SelectMany(i => i.Layers.Append(i.ConfigDigest)).Distinct().Count();
        await using var first = await U7sProcess.StartAsync(_temp.Combine("data1"), Sigstore);
        await using var second = await U7sProcess.StartAsync(_temp.Combine("data2"), _temp.Combine("sigstore2"));

        var fresh = Summary(await LoadAsync(archive.Path, null, "--registry", first.RegistryUrl.ToString()));
        var received = await BytesReceivedAsync(first);
        var newPath = Summary(await LoadAsync(archive.Path, "registry.local/copy/k8s-c10f1", "--registry", first.RegistryUrl.ToString()));
        var again = Summary(await LoadAsync(archive.Path, null, "--registry", first.RegistryUrl.ToString()));
        var againAgain = Summary(await LoadAsync(archive.Path, null, "--registry", first.RegistryUrl.ToString()));
        var otherFresh = Summary(await LoadAsync(archive.Path, null, "--registry", second.RegistryUrl.ToString()));

        Assert.StartsWith($"4 images; blobs: {blobs} sent (", fresh, StringComparison.Ordinal);
        Assert.StartsWith($"4 images; blobs: 0 sent (0 B), {blobs} mounted, 0 already present;", newPath, StringComparison.Ordinal);
        Assert.Equal(received, await BytesReceivedAsync(first));
        Assert.StartsWith($"4 images; blobs: 0 sent (0 B), 0 mounted, {blobs} already present;", again, StringComparison.Ordinal);
        Assert.Equal(again, againAgain);
        Assert.Equal(fresh, otherFresh);
    }

    [Fact]
    public async Task NotATerminal_ShortLogWithEveryImageOnceAndReadableSizes()
    {
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("amd64.tar.xz"), new GeneratorOptions { ImageCount = 3, Seed = 93 }, CancellationToken.None);
        var data = Directory.CreateDirectory(_temp.Combine("data")).FullName;

        var result = (await LoadAsync(archive.Path, null, "--data", data)).Ensure();

        var lines = result.Output.TrimEnd('\n').Split('\n');
        Assert.Equal(
            ["loading amd64.tar.xz (", "reading: 100% of ", "checking", "publishing 3 images", "signing 3 images", "verifying 3 images"],
            lines[..6].Select(l => l.Contains('(', StringComparison.Ordinal) ? l[..(l.IndexOf('(', StringComparison.Ordinal) + 1)] : l.Contains('%', StringComparison.Ordinal) ? l[..(l.IndexOf(" of ", StringComparison.Ordinal) + 4)] : l));
        for (var i = 0; i < archive.Images.Count; i++)
        {
            var image = archive.Images[i];
            Assert.Matches($"^registry\\.local/{Regex.Escape(image.RefName)} +{image.ManifestDigest}  signature-1  verified$", lines[6 + i]);
            Assert.Single(lines, l => l.Contains(image.RefName, StringComparison.Ordinal));
        }

        Assert.Equal(6 + archive.Images.Count + 1, lines.Length);
        Assert.Matches(@"^3 images; blobs: \d+ sent \(\d+\.\d (KiB|MiB)\), 0 mounted, 0 already present; archive expanded to \d+\.\d (KiB|MiB); signer signer@example.test \(", lines[^1]);
        Assert.DoesNotMatch(RawByteCount(), result.Output);
    }

    private static string Summary(CliResult result) => result.Ensure().Output.TrimEnd('\n').Split('\n')[^1];

    private static async Task<long> BytesReceivedAsync(U7sProcess server)
    {
        using var http = new HttpClient { BaseAddress = server.RegistryUrl };
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        return long.Parse(MetricLine().Match(metrics).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private Task<CliResult> LoadAsync(string archive, string? target, params string[] options) =>
        CliResult.RunAsync([
            "load-sign-oci", archive, "amd64", SampleKeys.SignerEmail, .. target is null ? Array.Empty<string>() : [target],
            "--key-dir", Keys, "--sigstore-root", Sigstore, "--policy", Policy, .. options]);

    [GeneratedRegex(@"\nu7s_registry_bytes_received_total (\d+)\n")]
    private static partial Regex MetricLine();

    [GeneratedRegex(@"\d{4,} ?bytes")]
    private static partial Regex RawByteCount();
}
