using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace U7s.Loader.Names;

/// <summary>
/// An <c>org.opencontainers.image.ref.name</c> value of an archive's index.json (SPEC §1.2):
/// registry-less <c>&lt;platform&gt;/&lt;name&gt;:&lt;tag&gt;</c>. Components are
/// <c>[A-Za-z0-9]+</c> joined by one of <c>-._:@+</c> or <c>--</c>, separated by <c>/</c>; the tag is
/// the text after the last <c>:</c> that follows the last <c>/</c>, and a ref without one is invalid.
/// </summary>
internal sealed partial record RefName(string Value, string Path, string Tag)
{
    /// <summary>The first path component (the platform, e.g. <c>k8s-c10f1</c>).</summary>
    public string FirstComponent => Path.Split('/')[0];

    public static bool TryParse(string? value, [NotNullWhen(true)] out RefName? refName)
    {
        refName = null;
        if (string.IsNullOrEmpty(value) || value.Length > 1024 || !Grammar().IsMatch(value))
        {
            return false;
        }

        var lastSlash = value.LastIndexOf('/');
        var colon = value.LastIndexOf(':');
        if (colon <= lastSlash || colon == value.Length - 1)
        {
            return false;
        }

        refName = new RefName(value, value[..colon], value[(colon + 1)..]);
        return true;
    }

    public override string ToString() => Value;

    [GeneratedRegex(@"^[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Grammar();
}
