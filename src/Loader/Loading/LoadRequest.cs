using U7s.Loader.Names;
using U7s.Loader.Xz;

namespace U7s.Loader.Loading;

/// <summary>What to load: the archive, its architecture directory and the name mapping (SPEC §1.3).</summary>
internal sealed record LoadRequest
{
    public const long DefaultMaxExpandedBytes = 64L << 30;

    public required string ArchivePath { get; init; }

    public required string Architecture { get; init; }

    public required NameMapper Names { get; init; }

    /// <summary>Refuse archives whose entries add up to more than this (decompression bombs).</summary>
    public long MaxExpandedBytes { get; init; } = DefaultMaxExpandedBytes;

    /// <summary>Parent of the per-load temp directory (blobs that arrive before their manifest); system temp when null.</summary>
    public string? TemporaryRoot { get; init; }

    /// <summary>Documents (manifests, configs) kept in memory at most, in bytes; the rest is spooled.</summary>
    public long MaxInMemoryDocumentBytes { get; init; } = 256L << 20;

    public XzDecoderOptions? Xz { get; init; }
}
