using System.Globalization;

namespace U7s.Bench;

/// <summary>
/// CPU time (user + system) of processes, from <c>/proc/&lt;pid&gt;/stat</c>. Per byte moved it is the number that
/// a busy machine disturbs least: wall-clock rates drop when another job takes the cores, CPU per GiB barely moves.
/// </summary>
internal static class CpuTime
{
    /// <summary>The kernel's clock tick (USER_HZ), 100 on every Linux build that matters here.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>The summed CPU time of <paramref name="pids"/>, in seconds; a process that has gone counts nothing.</summary>
    public static double SecondsOf(IEnumerable<int> pids)
    {
        double total = 0;
        foreach (var pid in pids)
        {
            string stat;
            try
            {
                stat = File.ReadAllText($"/proc/{pid}/stat");
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
            {
                continue;
            }

            // The command name (field 2) is in parentheses and may hold spaces: fields are counted after its ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            total += (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }

        return total;
    }

    /// <summary>This process (the benchmark's client side), in seconds.</summary>
    public static double OfSelf() => System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    /// <summary>
    /// The daemons of the S3 server that <c>tools/s3-server.sh run</c> started (radosgw, the OSD, mon and mgr), from
    /// its PID files under <c>S3_SERVER_DIR</c>; empty when there is none.
    /// </summary>
    public static IReadOnlyList<int> S3ServerPids()
    {
        var directory = Environment.GetEnvironmentVariable("S3_SERVER_DIR") is { Length: > 0 } root ? Path.Combine(root, "pids") : null;
        if (directory is null || !Directory.Exists(directory))
        {
            return [];
        }

        return [.. Directory.EnumerateFiles(directory, "*.pid")
            .Select(f => int.TryParse(File.ReadAllText(f).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0)];
    }
}
