using System.Diagnostics;

namespace U7s.Bench;

/// <summary>
/// A closed-loop load of one request kind over a fixed number of connections. Used for HEAD, which wrk
/// cannot measure (it waits for a body after a HEAD response that carries Content-Length).
/// </summary>
internal static class HttpLoad
{
    public static async Task<(double RequestsPerSecond, double P99Ms)> RunAsync(Uri url, HttpMethod method, int connections, TimeSpan duration, IReadOnlyDictionary<string, string> headers)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseProxy = false };
        using var client = new HttpClient(handler);
        var latencies = new List<double>[connections];
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var watch = Stopwatch.StartNew();
        await Parallel.ForAsync(0, connections, new ParallelOptions { MaxDegreeOfParallelism = connections }, async (i, ct) =>
        {
            var own = latencies[i] = [];
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var start = Stopwatch.GetTimestamp();
                using var request = new HttpRequestMessage(method, url);
                foreach (var (name, value) in headers)
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }

                using var response = await client.SendAsync(request, ct);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"{method} {url} answered {(int)response.StatusCode}");
                }

                own.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        });
        var all = latencies.SelectMany(l => l).Order().ToList();
        return (all.Count / watch.Elapsed.TotalSeconds, all.Count == 0 ? 0 : all[(int)(all.Count * 0.99)]);
    }
}
