using System.Diagnostics.CodeAnalysis;
using U7s.Oci;

namespace U7s.Sigstore.Signing;

/// <summary>How a reference maps onto the lookaside tree (SPEC §2.4).</summary>
public static class LookasidePath
{
    /// <summary>
    /// The repository path without the registry host; a one-component Docker Hub name gets
    /// <c>library/</c> as containers/image does.
    /// </summary>
    public static RepositoryName RepositoryOf(Reference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var dockerHub = reference.Host is null or "docker.io" or "index.docker.io" or "registry-1.docker.io";
        return dockerHub && !reference.Repository.Value.Contains('/', StringComparison.Ordinal)
            ? RepositoryName.Parse("library/" + reference.Repository.Value)
            : reference.Repository;
    }

    /// <summary>
    /// Parses a signature directory path <c>&lt;repo&gt;@&lt;alg&gt;=&lt;hex&gt;</c> (the inverse of
    /// <see cref="Store.SignatureStore.RelativeDirectory"/>).
    /// </summary>
    public static bool TryParseDirectory(string? path, out RepositoryName repository, [NotNullWhen(true)] out Digest? digest)
    {
        repository = default;
        digest = null;
        var at = path?.LastIndexOf('@') ?? -1;
        if (at <= 0 || !RepositoryName.TryParse(path![..at], out repository))
        {
            return false;
        }

        var rest = path[(at + 1)..];
        var equals = rest.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || !Digest.TryParse(rest[..equals] + ":" + rest[(equals + 1)..], out var d))
        {
            return false;
        }

        digest = d;
        return true;
    }
}
