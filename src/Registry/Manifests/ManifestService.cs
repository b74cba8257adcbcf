using U7s.Oci;
using U7s.Registry.Storage;

namespace U7s.Registry.Manifests;

/// <summary>Manifests, tags and referrers of repositories: validation on push, byte-exact reads.</summary>
internal sealed class ManifestService(IBlobStore blobs, IMetadataStore metadata, IRegistryLock registryLock, RegistryOptions options)
{
    /// <summary>Resolves a tag or digest reference to a digest the repository holds; null when unknown.</summary>
    public async Task<Digest?> ResolveOrNullAsync(RepositoryName repository, string reference, CancellationToken cancellationToken)
    {
        Digest digest;
        if (Digest.TryParse(reference, out var d))
        {
            digest = d;
        }
        else if (Tag.TryParse(reference, out var tag))
        {
            if (await metadata.ResolveTagOrNullAsync(repository, tag, cancellationToken) is not { } target)
            {
                return null;
            }

            digest = target;
        }
        else if (reference.Contains(':', StringComparison.Ordinal))
        {
            throw InvalidReference(reference);
        }
        else
        {
            // A tag that breaks the grammar can never have been pushed.
            return null;
        }

        return await metadata.GetManifestMediaTypeOrNullAsync(repository, digest, cancellationToken) is null ? null : digest;
    }

    /// <summary>Opens the manifest as stored, or null when the repository does not hold it.</summary>
    public async Task<StoredManifest?> GetOrNullAsync(RepositoryName repository, string reference, CancellationToken cancellationToken)
    {
        if (await ResolveOrNullAsync(repository, reference, cancellationToken) is not { } digest)
        {
            return null;
        }

        var mediaType = await metadata.GetManifestMediaTypeOrNullAsync(repository, digest, cancellationToken);
        var content = await blobs.OpenReadOrNullAsync(digest, cancellationToken);
        if (mediaType is null || content is null)
        {
            if (content is not null)
            {
                await content.DisposeAsync();
            }

            return null;
        }

        return new StoredManifest(digest, mediaType, content);
    }

    /// <summary>
    /// Validates and stores a manifest under a tag or its digest. The bytes are stored as received, so
    /// the digest served is the digest pushed.
    /// </summary>
    public async Task<PutManifestResult> PutAsync(RepositoryName repository, string reference, ReadOnlyMemory<byte> body, string? contentType, CancellationToken cancellationToken)
    {
        if (body.Length > options.MaxManifestBytes)
        {
            throw new OciException(OciErrorCode.ManifestTooLarge, $"manifest is {body.Length} bytes; the limit is {options.MaxManifestBytes}");
        }

        var digest = Digest.Compute(body.Span);
        Tag? tag = null;
        if (Digest.TryParse(reference, out var claimed))
        {
            if (claimed.Algorithm != "sha256")
            {
                digest = Digest.FromHash(claimed.Algorithm, System.Security.Cryptography.SHA512.HashData(body.Span));
            }

            if (claimed != digest)
            {
                throw new OciException(OciErrorCode.DigestInvalid, $"manifest hashes to {digest}, not {claimed}");
            }
        }
        else if (Tag.TryParse(reference, out var t))
        {
            tag = t;
        }
        else
        {
            throw InvalidReference(reference);
        }

        var manifest = ManifestParser.Parse(body, contentType);

        // Shared with garbage collection: between the reference check and the links, no collection deletes.
        await using var held = await registryLock.EnterSharedAsync(cancellationToken);
        await CheckReferencesAsync(repository, manifest, cancellationToken);

        await blobs.PutAsync(digest, body, cancellationToken);
        await metadata.PutManifestAsync(repository, digest, manifest.MediaType, cancellationToken);
        if (manifest.Subject is { } subject)
        {
            var descriptor = new Descriptor
            {
                MediaType = manifest.MediaType,
                Digest = digest.ToString(),
                Size = body.Length,
                ArtifactType = manifest.ArtifactType,
                Annotations = manifest.Annotations,
            };
            await metadata.AddReferrerAsync(repository, subject.Digest, descriptor, cancellationToken);
        }

        if (tag is { } tagValue)
        {
            await metadata.SetTagAsync(repository, tagValue, digest, cancellationToken);
        }

        return new PutManifestResult(digest, manifest.Subject?.Digest);
    }

    /// <summary>
    /// Deletes by digest (the manifest, its tags and its referrer entry) or by tag (the tag only).
    /// False when the reference is unknown.
    /// </summary>
    public async Task<bool> DeleteAsync(RepositoryName repository, string reference, CancellationToken cancellationToken)
    {
        if (Tag.TryParse(reference, out var tag))
        {
            return await metadata.DeleteTagAsync(repository, tag, cancellationToken);
        }

        if (!Digest.TryParse(reference, out var digest))
        {
            throw InvalidReference(reference);
        }

        if (await metadata.GetManifestMediaTypeOrNullAsync(repository, digest, cancellationToken) is null)
        {
            return false;
        }

        // The subject is needed to drop the referrer entry; it is read before the link goes.
        ManifestReference? subject = null;
        var content = await blobs.OpenReadOrNullAsync(digest, cancellationToken);
        if (content is not null)
        {
            await using (content)
            {
                var bytes = new byte[content.Length];
                await content.Stream.ReadExactlyAsync(bytes, cancellationToken);
                try
                {
                    subject = ManifestParser.Parse(bytes, null).Subject;
                }
                catch (OciException)
                {
                    // Stored manifests were valid when pushed; an unreadable one has no referrer entry to drop.
                }
            }
        }

        await metadata.DeleteManifestAsync(repository, digest, cancellationToken);
        if (subject is not null)
        {
            await metadata.RemoveReferrerAsync(repository, subject.Digest, digest, cancellationToken);
        }

        foreach (var name in await metadata.ListTagsOrNullAsync(repository, cancellationToken) ?? [])
        {
            var t = Tag.Parse(name);
            if (await metadata.ResolveTagOrNullAsync(repository, t, cancellationToken) == digest)
            {
                await metadata.DeleteTagAsync(repository, t, cancellationToken);
            }
        }

        return true;
    }

    public Task<IReadOnlyList<string>?> ListTagsOrNullAsync(RepositoryName repository, CancellationToken cancellationToken) =>
        metadata.ListTagsOrNullAsync(repository, cancellationToken);

    public Task<IReadOnlyList<string>> ListRepositoriesAsync(CancellationToken cancellationToken) =>
        metadata.ListRepositoriesAsync(cancellationToken);

    public async Task<IReadOnlyList<Descriptor>> ListReferrersAsync(RepositoryName repository, Digest subject, string? artifactType, CancellationToken cancellationToken)
    {
        var all = await metadata.ListReferrersAsync(repository, subject, cancellationToken);
        return artifactType is null ? all : all.Where(d => d.ArtifactType == artifactType).ToList();
    }

    private async Task CheckReferencesAsync(RepositoryName repository, ParsedManifest manifest, CancellationToken cancellationToken)
    {
        var missing = new List<string>();
        foreach (var blob in manifest.Blobs)
        {
            var size = await metadata.IsBlobLinkedAsync(repository, blob.Digest, cancellationToken)
                ? await blobs.GetSizeOrNullAsync(blob.Digest, cancellationToken)
                : null;
            if (size is null)
            {
                missing.Add(blob.Digest.ToString());
            }
            else if (size != blob.Size)
            {
                throw new OciException(OciErrorCode.ManifestInvalid, $"descriptor of {blob.Digest} says {blob.Size} bytes; the blob has {size}");
            }
            else
            {
                // A fresh use restarts the blob's grace period against garbage collection.
                await blobs.TouchAsync(blob.Digest, cancellationToken);
            }
        }

        foreach (var child in manifest.Manifests)
        {
            var mediaType = await metadata.GetManifestMediaTypeOrNullAsync(repository, child.Digest, cancellationToken);
            var size = mediaType is null ? null : await blobs.GetSizeOrNullAsync(child.Digest, cancellationToken);
            if (size is null)
            {
                missing.Add(child.Digest.ToString());
            }
            else if (size != child.Size)
            {
                throw new OciException(OciErrorCode.ManifestInvalid, $"descriptor of {child.Digest} says {child.Size} bytes; the manifest has {size}");
            }
            else if (mediaType != child.MediaType)
            {
                throw new OciException(OciErrorCode.ManifestInvalid, $"descriptor of {child.Digest} says {child.MediaType}; the manifest is {mediaType}");
            }
            else
            {
                await blobs.TouchAsync(child.Digest, cancellationToken);
            }
        }

        if (missing.Count > 0)
        {
            throw new OciException(OciErrorCode.ManifestBlobUnknown, $"not in repository {repository}: {string.Join(", ", missing)}");
        }
    }

    private static OciException InvalidReference(string reference) =>
        reference.Contains(':', StringComparison.Ordinal)
            ? new(OciErrorCode.DigestInvalid, $"'{reference}' is not a valid digest")
            : new(OciErrorCode.ManifestInvalid, $"'{reference}' is neither a tag nor a digest");
}
