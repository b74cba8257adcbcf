using U7s.Native;
using U7s.Oci;
using U7s.Oci.Policy;
using U7s.Sigstore.Manifests;
using U7s.Sigstore.Signing;
using U7s.Sigstore.Store;

namespace U7s.Sigstore.Judging;

/// <summary>
/// Reads what a node reads to judge a pull (SPEC §2.4, §2.7): the manifest the registry serves for the reference,
/// the platform manifests an index lists, and the lookaside signatures of each manifest that counts. Any failure to
/// read is an <see cref="ImageJudgeException"/>: of the registry before the manifest is known, of the signatures after.
/// </summary>
public sealed class ImageEvidenceReader(IManifestSource manifests, ISignatureSource signatures)
{
    /// <summary>The evidence for <paramref name="reference"/>; null when the registry serves no manifest for it.</summary>
    public async Task<ImageEvidence?> ReadAsync(Reference reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        FetchedManifest? manifest;
        try
        {
            manifest = await manifests.GetManifestOrNullAsync(reference, cancellationToken);
        }
        catch (ManifestSourceException e)
        {
            throw new ImageJudgeException(e.Message, e);
        }

        return manifest is null ? null : await ReadAsync(reference, manifest, cancellationToken);
    }

    /// <summary>The evidence for <paramref name="reference"/>, whose manifest (as served) is <paramref name="manifest"/>.</summary>
    public async Task<ImageEvidence> ReadAsync(Reference reference, FetchedManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(manifest);
        IReadOnlyList<Digest> instances;
        try
        {
            instances = IndexInstances.Of(manifest);
        }
        catch (ManifestSourceException e)
        {
            throw new ImageJudgeException($"the manifest of {reference} cannot be read: {e.Message}", manifest.Digest, e);
        }

        var isIndex = instances.Count > 0 || MediaTypes.IsIndex(manifest.MediaType);
        var repository = LookasidePath.RepositoryOf(reference);
        var levels = new List<ManifestSignatures>();
        foreach (var digest in isIndex ? instances : [manifest.Digest])
        {
            var blobs = new List<SignatureBlob>();
            try
            {
                await foreach (var blob in signatures.ListAsync(repository, digest, cancellationToken))
                {
                    blobs.Add(blob);
                }
            }
            catch (Exception e) when (IsStoreFailure(e))
            {
                // The store's own failures name the signature already ("reading signature from …").
                throw new ImageJudgeException(e is SignatureStoreException ? e.Message : $"cannot read the signatures of {digest}: {e.Message}", manifest.Digest, e);
            }

            levels.Add(new ManifestSignatures(digest, signatures.Location(repository, digest), blobs));
        }

        return new ImageEvidence(manifest, isIndex, levels);
    }

    // A bucket's failures arrive as StorageException, an IOException: every store reports "cannot be read" the same way.
    private static bool IsStoreFailure(Exception e) =>
        e is IOException or UnauthorizedAccessException or InvalidDataException or SignatureStoreException or HttpRequestException or UnsafePathException;
}
