using System.Diagnostics.CodeAnalysis;
using U7s.Oci;

namespace U7s.Oci.Policy;

/// <summary>
/// A reference normalised as containers/image's <c>reference.ParseNormalizedNamed</c> does: no host
/// means <c>docker.io</c>, a one-component Docker Hub name gets <c>library/</c>. Identity matching
/// compares these normalised strings.
/// </summary>
public sealed record DockerReference(string Host, string Path, string? Tag, string? Digest)
{
    /// <summary><c>host/path</c>.</summary>
    public string Name => $"{Host}/{Path}";

    /// <summary>Neither tag nor digest: never acceptable as a signed identity.</summary>
    public bool IsNameOnly => Tag is null && Digest is null;

    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out DockerReference? reference)
    {
        reference = null;
        if (!Reference.TryParse(value, out var parsed))
        {
            return false;
        }

        reference = From(parsed);
        return true;
    }

    public static DockerReference From(Reference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var host = reference.Host is null or "index.docker.io" ? "docker.io" : reference.Host;
        var path = host == "docker.io" && !reference.Repository.Value.Contains('/', StringComparison.Ordinal)
            ? "library/" + reference.Repository.Value
            : reference.Repository.Value;
        return new DockerReference(host, path, reference.Tag?.Value, reference.Digest?.ToString());
    }

    /// <summary>The reference as pulled: a name alone means <c>:latest</c> (containers/image adds it before policy checks).</summary>
    public DockerReference WithDefaultTag() => IsNameOnly ? this with { Tag = "latest" } : this;

    public override string ToString() => Name + (Tag is null ? string.Empty : ":" + Tag) + (Digest is null ? string.Empty : "@" + Digest);
}
