namespace U7s.Bench;

/// <summary>
/// Sizes and durations of one run; <c>--quick</c> shrinks everything so CI can afford it. The Native AOT
/// binary to run beside the JIT build comes from <c>U7S_AOT_BINARY</c> (bench/run builds one when unset).
/// </summary>
internal sealed record BenchOptions(bool Quick, int Rounds, int BlobCount, int BlobSize, int Parallelism, TimeSpan LoadDuration, int Connections)
{
    public string? AotBinary { get; init; } = Environment.GetEnvironmentVariable("U7S_AOT_BINARY") is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    /// <summary>How many times each startup command runs (its median is reported).</summary>
    public int StartupRuns => Quick ? 5 : 15;

    public static BenchOptions Parse(string[] args)
    {
        var quick = args.Contains("--quick");
        return quick
            ? new BenchOptions(true, 1, 16, 16 * 1024 * 1024, 4, TimeSpan.FromSeconds(4), 64)
            : new BenchOptions(false, 3, 16, 64 * 1024 * 1024, 4, TimeSpan.FromSeconds(20), 64);
    }

    public long TotalBytes => (long)BlobCount * BlobSize;

    /// <summary>The layer the footprint row pulls four at a time: 256 MiB as on a node (64 MiB in quick mode).</summary>
    public int FootprintLayerSize => (Quick ? 64 : 256) * 1024 * 1024;
}
