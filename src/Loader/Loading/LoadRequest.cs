using U7s.Loader.Names;
using U7s.Loader.Xz;

namespace U7s.Loader.Loading;

/// <summary>What to load: the archive, its architecture directory and the name mapping (SPEC §1.3).</summary>
internal sealed record LoadRequest
{
    /// <summary>The automatic expansion limit is this many times the archive's size…</summary>
    public const int AutoExpansionRatio = 8;

    /// <summary>…and at least this: the k8s-c10f1 archive expands to about 340 MiB, three times less.</summary>
    public const long AutoExpansionFloor = 1L << 30;

    public required string ArchivePath { get; init; }

    public required string Architecture { get; init; }

    public required NameMapper Names { get; init; }

    /// <summary>
    /// Refuse archives that decompress to more than this (decompression bombs); null for the
    /// automatic limit, <see cref="AutoMaxExpandedBytes"/> of the archive's size. Real image archives
    /// (uncompressed layers in xz) expand two to four times; a bomb expands a thousand times.
    /// </summary>
    public long? MaxExpandedBytes { get; init; }

    /// <summary>Parent of the per-load temp directory (blobs that arrive before their manifest); system temp when null.</summary>
    public string? TemporaryRoot { get; init; }

    /// <summary>Documents (manifests, configs) kept in memory at most, in bytes; the rest is spooled.</summary>
    public long MaxInMemoryDocumentBytes { get; init; } = 32L << 20;

    public XzDecoderOptions? Xz { get; init; }

    public static long AutoMaxExpandedBytes(long archiveBytes) =>
        Math.Max(AutoExpansionFloor, archiveBytes > long.MaxValue / AutoExpansionRatio ? long.MaxValue : archiveBytes * AutoExpansionRatio);
}
