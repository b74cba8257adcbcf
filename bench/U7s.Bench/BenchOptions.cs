namespace U7s.Bench;

/// <summary>
/// Sizes and durations of one run; <c>--quick</c> shrinks everything so CI can afford it. The Native AOT
/// binary to run beside the JIT build comes from <c>U7S_AOT_BINARY</c> (bench/run builds one when unset).
/// </summary>
internal sealed record BenchOptions(bool Quick, int Rounds, int BlobCount, int BlobSize, int Parallelism, TimeSpan LoadDuration, int Connections)
{
    public string? AotBinary { get; init; } = Environment.GetEnvironmentVariable("U7S_AOT_BINARY") is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    /// <summary>A pull row reads its blob set again and again until this much time has passed.</summary>
    public TimeSpan MinimumPull => TimeSpan.FromSeconds(Quick ? 1.5 : 4);

    /// <summary>How many times each startup command runs (its median is reported).</summary>
    public int StartupRuns => Quick ? 5 : 15;

    /// <summary>The workload groups <c>--only</c> accepts, in the order a run measures them.</summary>
    public static readonly string[] Groups = ["push", "pull", "s3", "manifest", "enforce", "signature", "status", "startup", "footprint", "loader"];

    /// <summary>The groups this run measures: all, or those <c>--only a,b</c> names (pull and s3 push first, so they bring push along).</summary>
    public IReadOnlySet<string> Selected { get; init; } = new HashSet<string>(Groups, StringComparer.Ordinal);

    public bool Runs(string group) => Selected.Contains(group);

    public static BenchOptions Parse(string[] args)
    {
        var quick = args.Contains("--quick");
        var options = quick
            ? new BenchOptions(true, 1, 16, 16 * 1024 * 1024, 4, TimeSpan.FromSeconds(4), 64)
            : new BenchOptions(false, 3, 16, 64 * 1024 * 1024, 4, TimeSpan.FromSeconds(20), 64);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    break;
                case "--only" when i + 1 < args.Length:
                    var selected = new HashSet<string>(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.Ordinal);
                    if (selected.Count == 0 || selected.Any(g => !Groups.Contains(g)))
                    {
                        throw new ArgumentException($"--only takes a comma-separated list of: {string.Join(", ", Groups)}");
                    }

                    if (selected.Contains("pull") || selected.Contains("s3"))
                    {
                        selected.Add("push");
                    }

                    options = options with { Selected = selected };
                    break;
                case "--rounds" when i + 1 < args.Length && int.TryParse(args[i + 1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var rounds) && rounds > 0:
                    i++;
                    options = options with { Rounds = rounds };
                    break;
                default:
                    throw new ArgumentException($"unknown argument {args[i]}: bench/run [--quick] [--only {string.Join(",", Groups)}] [--rounds N]");
            }
        }

        return options;
    }

    public long TotalBytes => (long)BlobCount * BlobSize;

    /// <summary>The layer the footprint row pulls four at a time: 256 MiB as on a node (64 MiB in quick mode).</summary>
    public int FootprintLayerSize => (Quick ? 64 : 256) * 1024 * 1024;
}
