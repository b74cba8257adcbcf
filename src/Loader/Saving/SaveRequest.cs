using U7s.Loader.Xz;
using U7s.Oci;

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

    /// <summary>Images as named on the command line; the host part (if any) is dropped from ref names.</summary>
    public required IReadOnlyList<Reference> Images { get; init; }

    public string? TemporaryRoot { get; init; }

    public XzEncoderOptions? Xz { get; init; }
}
