using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace U7s.Bench;

/// <summary>Drives Debian's wrk (a C load generator: cheaper per request than any client we could write here).</summary>
internal static partial class Wrk
{
    public static bool Available => File.Exists("/usr/bin/wrk");

    /// <summary>Runs wrk for <paramref name="duration"/> and returns requests/s and the p99 latency in ms.</summary>
    public static async Task<(double RequestsPerSecond, double P99Ms)> RunAsync(Uri url, int connections, TimeSpan duration, IReadOnlyDictionary<string, string>? headers = null)
    {
        var psi = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-t", "2", "-c", connections.ToString(CultureInfo.InvariantCulture), "-d", $"{(int)duration.TotalSeconds}s", "--latency" })
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            psi.ArgumentList.Add("-H");
            psi.ArgumentList.Add($"{name}: {value}");
        }

        psi.ArgumentList.Add(url.ToString());
        using var process = Process.Start(psi)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var rps = RequestsPerSecond().Match(output);
        var p99 = P99().Match(output);
        var non2xx = Non2xx().Match(output);
        if (!rps.Success || !p99.Success)
        {
            throw new InvalidOperationException($"cannot read wrk's output: {output}");
        }

        if (non2xx.Success)
        {
            throw new InvalidOperationException($"{url}: {non2xx.Value} (the target is misconfigured; the numbers would lie)");
        }

        return (double.Parse(rps.Groups[1].Value, CultureInfo.InvariantCulture), ToMs(p99.Groups[1].Value, p99.Groups[2].Value));
    }

    private static double ToMs(string value, string unit)
    {
        var v = double.Parse(value, CultureInfo.InvariantCulture);
        return unit switch
        {
            "us" => v / 1000,
            "ms" => v,
            "s" => v * 1000,
            "m" => v * 60_000,
            _ => throw new InvalidOperationException($"unknown latency unit {unit}"),
        };
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"99%\s+([0-9.]+)(us|ms|s|m)\b")]
    private static partial Regex P99();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+\d+")]
    private static partial Regex Non2xx();
}
