using U7s.Oci;
using U7s.Registry.Manifests;
using U7s.Sigstore.Manifests;

namespace U7s.Server.Storage;

/// <summary>
/// <see cref="IManifestSource"/> over the registry's own store on this host: the bytes the registry
/// serves for a tag or digest, read without HTTP: for <c>load-sign-oci --data</c>, and for the
/// signature store's upload checks when it runs in the registry's process (<c>u7s serve</c>).
/// </summary>
internal sealed class LocalManifestSource(ManifestService manifests) : IManifestSource
{
    private const int MaxManifestBytes = 4 * 1024 * 1024;

    public async Task<FetchedManifest?> GetManifestOrNullAsync(Reference reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var tagOrDigest = reference.Digest?.ToString() ?? reference.Tag?.Value ?? "latest";
        try
        {
            var stored = await manifests.GetOrNullAsync(reference.Repository, tagOrDigest, cancellationToken);
            if (stored is null)
            {
                return null;
            }

            await using var content = stored.Content;
            if (content.Length > MaxManifestBytes)
            {
                throw new ManifestSourceException($"manifest of {reference} is larger than 4 MiB");
            }

            var bytes = new byte[content.Length];
            await content.Stream.ReadExactlyAsync(bytes, cancellationToken);
            var digest = Digest.Compute(bytes);

            // Stored under its digest; bytes that hash to another were damaged at rest, and signing them would sign a lie.
            if (stored.Digest.Algorithm == "sha256" && stored.Digest != digest)
            {
                throw new ManifestSourceException($"the manifest stored as {stored.Digest} for {reference} hashes to {digest}");
            }

            return new FetchedManifest(bytes, stored.MediaType, digest);
        }
        catch (IOException e)
        {
            // A store that does not answer (StorageException), a read cut short.
            throw new ManifestSourceException($"cannot read the manifest of {reference} from the store: {e.Message}", e);
        }
    }
}
