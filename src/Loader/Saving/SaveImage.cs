using U7s.Loader.Loading;
using U7s.Oci;

namespace U7s.Loader.Saving;

/// <summary>
/// One image to save: where it is read (<see cref="Source"/>, with a tag or a digest) and its ref name in the
/// archive (<c>&lt;repository&gt;:&lt;tag&gt;</c>, registry-less, SPEC §1.2).
/// </summary>
internal sealed record SaveImage(Reference Source, string RefName)
{
    /// <summary>The image under its own repository and tag (the host part dropped), as <c>save-oci &lt;image&gt;…</c> names them.</summary>
    /// <exception cref="LoadException">The reference has no tag.</exception>
    public static SaveImage Named(Reference source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Tag is not { } tag)
        {
            throw new LoadException(LoadErrorKind.Usage, $"image '{source}' needs a tag (ref names in archives are <name>:<tag>)");
        }

        return new SaveImage(source, $"{source.Repository}:{tag}");
    }
}
