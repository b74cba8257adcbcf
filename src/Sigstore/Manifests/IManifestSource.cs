using U7s.Oci;

namespace U7s.Sigstore.Manifests;

/// <summary>
/// Where the signer and verifier get the manifest bytes a registry serves for a reference
/// (SPEC §2.4: the signed digest is the sha256 of exactly those bytes; the
/// <c>Docker-Content-Digest</c> header is ignored).
/// </summary>
public interface IManifestSource
{
    /// <summary>
    /// The manifest for <paramref name="reference"/> (tag or digest), accepting OCI and Docker
    /// manifests and indexes, bytes exactly as served. Null when the registry says it does not exist
    /// (404). MUST throw <see cref="ManifestSourceException"/> for any other failure (a registry that cannot be
    /// reached or answers an error, a store that does not answer), for a body over 4 MiB, and when the bytes do not
    /// hash to the digest asked for (or, read from a store by tag, to the digest it stored them under).
    /// </summary>
    Task<FetchedManifest?> GetManifestOrNullAsync(Reference reference, CancellationToken cancellationToken);
}
