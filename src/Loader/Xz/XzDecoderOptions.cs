namespace U7s.Loader.Xz;

/// <summary>Limits of the xz decoder.</summary>
internal sealed record XzDecoderOptions
{
    /// <summary>Hard memory limit; a stream needing more fails with a memlimit error.</summary>
    public ulong MemoryLimit { get; init; } = 4UL << 30;

    /// <summary>Above this the threaded decoder falls back to one thread instead of failing.</summary>
    public ulong ThreadingMemoryLimit { get; init; } = 1UL << 30;

    /// <summary>Decoder threads; 0 means one per processor.</summary>
    public int Threads { get; init; }
}
