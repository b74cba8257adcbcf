namespace U7s.Loader.Xz;

/// <summary>Settings of the threaded xz encoder (multi-block output, as <c>xz -T0</c> writes).</summary>
internal sealed record XzEncoderOptions
{
    /// <summary>xz preset 0-9 (6 is xz's default).</summary>
    public uint Preset { get; init; } = 6;

    /// <summary>Encoder threads; 0 means one per processor.</summary>
    public int Threads { get; init; }

    /// <summary>Uncompressed bytes per block; 0 lets liblzma pick (three times the dictionary).</summary>
    public ulong BlockSize { get; init; }
}
