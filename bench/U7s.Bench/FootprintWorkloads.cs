using System.Net;

namespace U7s.Bench;

/// <summary>
/// Memory on a node under one fixed load: four concurrent pulls of one large layer, over and over, while
/// wrk holds 64 connections of manifest GETs. Each registry's peak RSS is reset (clear_refs) just before,
/// so the row is the peak of this load alone, not of the workloads before it.
/// </summary>
internal static class FootprintWorkloads
{
    public const string Row = "peak RSS, 4 pulls + 64 GETs (MiB)";

    private const int Pulls = 4;

    public static async Task RunAsync(Report report, BenchOptions options, Servers servers, string manifestPath, IReadOnlyDictionary<string, string> accept)
    {
        if (!Wrk.Available)
        {
            return;
        }

        var layer = new BlobSet(1, options.FootprintLayerSize, round: 900);
        foreach (var server in servers.Registries)
        {
            await BlobWorkloads.PushAsync(server.Url, "bench/footprint", layer, 1);
            server.ResetPeakRss();
            using var stop = new CancellationTokenSource();
            var load = Wrk.RunAsync(new Uri(server.Url, manifestPath), options.Connections, options.LoadDuration, accept);
            var pulls = Enumerable.Range(0, Pulls).Select(_ => PullUntilAsync(server.Url, $"/v2/bench/footprint/blobs/{layer.Digests[0]}", layer.Size, stop.Token)).ToArray();
            await load;
            await stop.CancelAsync();
            await Task.WhenAll(pulls);
            report.Add(Row, server.Name, server.PeakRssMiB());
        }
    }

    public static void Declare(Report report)
    {
        report.Compare(Row, "MiB", "docker-registry", 1.0, false, "<= 1x", "u7s-aot");
        report.Compare(Row, "MiB", "docker-registry", 0, false, string.Empty);
    }

    /// <summary>Pulls the blob again and again (each to its end) until <paramref name="stop"/>; at least once.</summary>
    private static async Task PullUntilAsync(Uri server, string path, long size, CancellationToken stop)
    {
        using var client = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromMinutes(5) };
        var buffer = new byte[256 * 1024];
        // A pull once begun runs to its end (its byte count is checked): stop only ends the loop.
        do
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, CancellationToken.None);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}");
            }

            await using var stream = await response.Content.ReadAsStreamAsync(CancellationToken.None);
            long count = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer, CancellationToken.None)) > 0)
            {
                count += read;
            }

            if (count != size)
            {
                throw new InvalidOperationException($"pulled {count} bytes of a {size}-byte blob");
            }
        }
        while (!stop.IsCancellationRequested);
    }
}
