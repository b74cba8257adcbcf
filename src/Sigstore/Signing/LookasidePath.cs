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
}
