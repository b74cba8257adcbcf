using U7s.Loader.Signing;
using U7s.Oci;
using U7s.Oci.Policy;

namespace U7s.Loader.Loading;

/// <summary>Publishing in three phases (blobs, manifests by digest, tags), then signing and verification.</summary>
internal sealed partial class ArchiveLoader
{
    private async Task<Dictionary<string, Digest>> PublishAsync(LoadState state, List<ResolvedImage> images, CancellationToken cancellationToken)
    {
        for (var i = 0; i < images.Count; i++)
        {
            var image = images[i];
            progress?.Report(new LoadProgress("publishing", 0, 0, image.Image.Target.ToString(), i + 1, images.Count));
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

        // StoredIn keeps insertion order, so the same run mounts from the same repository every time.
        RepositoryName? source = record.StoredIn.Count > 0 ? RepositoryName.Parse(record.StoredIn.First()) : null;
        await StoreBlobAsync(state, repository, record, source, ct => OpenStoredAsync(record, source, ct), ownsContent: true, cancellationToken);
    }

    /// <summary>
    /// Makes <paramref name="record"/> available in <paramref name="repository"/>: nothing to do when
    /// it is there, a mount when the sink holds it elsewhere, otherwise its bytes from <paramref name="open"/>.
    /// </summary>
    private async Task StoreBlobAsync(
        LoadState state,
        RepositoryName repository,
        BlobRecord record,
        RepositoryName? source,
        Func<CancellationToken, Task<Stream>> open,
        bool ownsContent,
        CancellationToken cancellationToken)
    {
        if (await sink.HasBlobAsync(repository, record.Digest, cancellationToken))
        {
            record.Record(BlobOutcome.Present);
        }
        else
        {
            await using var upload = await sink.MountOrBeginBlobAsync(repository, record.Digest, source, cancellationToken);
            if (upload is null)
            {
                record.Record(BlobOutcome.Mounted);
            }
            else
            {
                var content = await open(cancellationToken);
                try
                {
                    await upload.CompleteAsync(record.Size, content, cancellationToken);
                }
                finally
                {
                    if (ownsContent)
                    {
                        await content.DisposeAsync();
                    }
                }

                record.Record(BlobOutcome.Sent);
                state.BytesSent += record.Size;
            }
        }

        record.StoredIn.Add(repository.Value);
    }

    private async Task<Stream> OpenStoredAsync(BlobRecord record, RepositoryName? source, CancellationToken cancellationToken)
    {
        if (record.Content is not null)
        {
            return new MemoryStream(record.Content, writable: false);
        }

        if (record.SpoolPath is not null)
        {
            return new FileStream(record.SpoolPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }

        // Streamed into another repository during the pass and the sink could not mount it: read it back.
        return source is { } from
            ? await sink.OpenBlobAsync(from, record.Digest, cancellationToken)
            : throw new InvalidOperationException($"blob {record.Digest} has no stored bytes");
    }

    private async Task<List<LoadedImage>> SignAndVerifyAsync(List<ResolvedImage> images, Dictionary<string, Digest> digests, CancellationToken cancellationToken)
    {
        var signatures = new List<SignatureResult?>();
        foreach (var image in images)
        {
            SignatureResult? signature = null;
            if (signer is not null)
            {
                progress?.Report(new LoadProgress("signing", 0, 0, image.Image.Target.ToString(), signatures.Count + 1, images.Count));
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
            ImageVerdict? verification = null;
            if (verifier is not null)
            {
                progress?.Report(new LoadProgress("verifying", 0, 0, image.Image.Target.ToString(), i + 1, images.Count));
                try
                {
                    verification = (await verifier.JudgeAsync(image.Image.Target, cancellationToken)).Expecting(digest, image.Image.Target);
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
