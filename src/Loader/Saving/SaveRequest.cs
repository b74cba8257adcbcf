using U7s.Loader.Xz;

namespace U7s.Loader.Saving;

/// <summary>
/// What to save (SPEC §1.7): images read from a registry, one layout per architecture. With
/// <see cref="SingleFile"/> all architectures go into one archive (one folder each); otherwise
/// <see cref="OutputPath"/> is a new directory that receives <c>&lt;arch&gt;.tar.xz</c> files.
/// </summary>
internal sealed record SaveRequest
{
    public required string OutputPath { get; init; }

    public required bool SingleFile { get; init; }

    public required IReadOnlyList<string> Architectures { get; init; }

    /// <summary>The images, each with its source and its ref name in the archive.</summary>
    public required IReadOnlyList<SaveImage> Images { get; init; }

    public string? TemporaryRoot { get; init; }

    /// <summary>
    /// Where downloaded blobs are kept until the archive is complete, so a run that fails or is interrupted resumes
    /// where it stopped; default <see cref="DefaultCacheDirectory"/>.
    /// </summary>
    public string? CacheDirectory { get; init; }

    /// <summary>
    /// A gzip layer may decompress to this many bytes, or to 32 times its own size when that is more: real layers
    /// expand 2 to 4 times, a gzip bomb from a hostile source a thousand times, and would fill the disk.
    /// </summary>
    public long MaxExpandedLayerFloor { get; init; } = 1L << 30;

    /// <summary><c>.&lt;out&gt;.blobs</c> next to the output: the same command run again finds it.</summary>
    public static string DefaultCacheDirectory(string outputPath)
    {
        var full = Path.GetFullPath(outputPath).TrimEnd(Path.DirectorySeparatorChar);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.blobs");
    }

    public XzEncoderOptions? Xz { get; init; }
}
