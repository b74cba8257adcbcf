namespace U7s.Bench;

/// <summary>What one blob workload moved, and in how long.</summary>
internal readonly record struct Transfer(long Bytes, TimeSpan Elapsed)
{
    public double MiBPerSecond => Bytes / 1024.0 / 1024.0 / Elapsed.TotalSeconds;

    public double GiB => Bytes / 1024.0 / 1024.0 / 1024.0;
}
