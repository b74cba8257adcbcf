using U7s.Loader.Signing;
using U7s.Oci;

namespace U7s.Loader.Loading;

/// <summary>Publishing in three phases (blobs, manifests by digest, tags), then signing and verification.</summary>
internal sealed partial class ArchiveLoader
{
    private async Task<Dictionary<string, Digest>> PublishAsync(LoadState state, List<ResolvedImage> images, CancellationToken cancellationToken)
    {
        foreach (var image in images)
        {
            progress?.Report(new LoadProgress("publishing", 0, 0, image.Image.Target.ToString()));
            foreach (var digest in image.Blobs)
            {
                await EnsureBlobAsync(state, image.Image.Repository, state.Blobs[digest], cancellationToken);
            }
        }

        // Children before parents, all by digest: no tag exists until every image is complete.
        var digests = new Dictionary<string, Digest>(StringComparer.Ordinal);
        foreach (var image in images)
        {
            foreach (var manifest in image.Manifests)
            {
                await sink.PutManifestAsync(image.Image.Repository, manifest.Digest.ToString(), manifest.Content, manifest.MediaType, cancellationToken);
            }

            digests[image.Image.Target.ToString()] = Digest.Parse(image.Top.Digest);
        }

        foreach (var image in images)
        {
            var top = image.Manifests[^1];
            var stored = await sink.PutManifestAsync(image.Image.Repository, image.Image.Tag.Value, top.Content, top.MediaType, cancellationToken);
            if (stored != top.Digest)
            {
                throw new LoadException(LoadErrorKind.Registry, $"{image.Image.Target} was stored as {stored}, expected {top.Digest}");
            }
        }

        return digests;
    }

    private async Task EnsureBlobAsync(LoadState state, RepositoryName repository, BlobRecord record, CancellationToken cancellationToken)
    {
        if (record.StoredIn.Contains(repository.Value))
        {
            return;
        }

        if (await sink.HasBlobAsync(repository, record.Digest, cancellationToken))
        {
            state.BlobsPresent++;
        }
        else if (record.StoredIn.Count > 0)
        {
            var source = RepositoryName.Parse(record.StoredIn.First());
            if (!await sink.TryLinkBlobAsync(repository, record.Digest, source, cancellationToken))
            {
                await using var content = await sink.OpenBlobAsync(source, record.Digest, cancellationToken);
                await sink.PutBlobAsync(repository, record.Digest, record.Size, content, cancellationToken);
                state.BlobsSent++;
            }
        }
        else if (record.Content is not null)
        {
            using var content = new MemoryStream(record.Content, writable: false);
            await sink.PutBlobAsync(repository, record.Digest, record.Size, content, cancellationToken);
            state.BlobsSent++;
        }
        else if (record.SpoolPath is not null)
        {
            await using var content = new FileStream(record.SpoolPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await sink.PutBlobAsync(repository, record.Digest, record.Size, content, cancellationToken);
            state.BlobsSent++;
        }
        else
        {
            throw new InvalidOperationException($"blob {record.Digest} has no stored bytes");
        }

        record.StoredIn.Add(repository.Value);
    }

    private async Task<List<LoadedImage>> SignAndVerifyAsync(List<ResolvedImage> images, Dictionary<string, Digest> digests, CancellationToken cancellationToken)
    {
        var signatures = new List<SignatureResult?>();
        foreach (var image in images)
        {
            SignatureResult? signature = null;
            if (signer is not null)
            {
                progress?.Report(new LoadProgress("signing", 0, 0, image.Image.Target.ToString()));
                try
                {
                    // An index's instances first: pulls verify the per-platform manifest at its own digest (SPEC §2.7).
                    foreach (var instance in image.Manifests.Take(image.Manifests.Count - 1))
                    {
                        await signer.SignAsync(image.Image.Target, instance.Digest, cancellationToken);
                    }

                    signature = await signer.SignAsync(image.Image.Target, digests[image.Image.Target.ToString()], cancellationToken);
                }
                catch (Exception e) when (e is not (OperationCanceledException or LoadException))
                {
                    throw new LoadException(LoadErrorKind.SignerUnusable, $"signing {image.Image.Target} failed (the image is pushed but unsigned): {e.Message}", e);
                }
            }

            signatures.Add(signature);
        }

        var loaded = new List<LoadedImage>();
        for (var i = 0; i < images.Count; i++)
        {
            var image = images[i];
            var digest = digests[image.Image.Target.ToString()];
            VerificationResult? verification = null;
            if (verifier is not null)
            {
                progress?.Report(new LoadProgress("verifying", 0, 0, image.Image.Target.ToString()));
                try
                {
                    verification = await verifier.VerifyAsync(image.Image.Target, digest, cancellationToken);
                }
                catch (Exception e) when (e is not (OperationCanceledException or LoadException))
                {
                    throw new LoadException(LoadErrorKind.VerificationFailed, $"verifying {image.Image.Target} failed: {e.Message}", e);
                }
            }

            loaded.Add(new LoadedImage(image.Image, digest, image.Top.MediaType, signatures[i], verification));
        }

        return loaded;
    }
}
