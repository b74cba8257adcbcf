using U7s.Oci;
using U7s.Registry.Manifests;
using U7s.Sigstore.Manifests;

namespace U7s.Cli.Hosting;

/// <summary>
/// The signature store's view of manifests when it runs in the registry's process: read from the
/// registry's own store, not over HTTP. Serves the same bytes the registry serves.
/// </summary>
internal sealed class RegistryManifestSource(ManifestService manifests) : IManifestSource
{
    private const int MaxManifestBytes = 4 * 1024 * 1024;

    public async Task<FetchedManifest?> GetManifestOrNullAsync(Reference reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var text = reference.Digest?.ToString() ?? reference.Tag?.Value ?? "latest";
        var manifest = await manifests.GetOrNullAsync(reference.Repository, text, cancellationToken);
        if (manifest is null)
        {
            return null;
        }

        await using (manifest.Content)
        {
            if (manifest.Content.Length > MaxManifestBytes)
            {
                throw new ManifestSourceException($"manifest {reference} is larger than 4 MiB");
            }

            var bytes = new byte[manifest.Content.Length];
            await manifest.Content.Stream.ReadExactlyAsync(bytes, cancellationToken);
            return new FetchedManifest(bytes, manifest.MediaType, manifest.Digest);
        }
    }
}
