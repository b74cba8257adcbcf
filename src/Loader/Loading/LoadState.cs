using U7s.Loader.Layout;
using U7s.Loader.Names;
using U7s.Oci;

namespace U7s.Loader.Loading;

/// <summary>What one pass over an archive has learned so far.</summary>
internal sealed class LoadState(LoadRequest request, string spoolDirectory)
{
    public LoadRequest Request { get; } = request;

    public string SpoolDirectory { get; } = spoolDirectory;

    public Dictionary<Digest, BlobRecord> Blobs { get; } = [];

    /// <summary>Index entries with their mapped names, once index.json has been read and checked.</summary>
    public IReadOnlyList<(Descriptor Descriptor, MappedImage Image)>? Images { get; set; }

    public bool LayoutSeen { get; set; }

    /// <summary>Primary key fingerprint of the prepared signer; null when the load does not sign.</summary>
    public string? SignerFingerprint { get; init; }

    /// <summary>Repository that will hold each blob, as far as the manifests read so far tell.</summary>
    public Dictionary<Digest, RepositoryName> Owners { get; } = [];

    public Dictionary<Digest, ManifestDocument?> ParsedDocuments { get; } = [];

    public long InMemoryBytes { get; set; }

    /// <summary>Blob bytes sent to the sink (a blob sent to two repositories counts twice).</summary>
    public long BytesSent { get; set; }

    public int Count(BlobOutcome outcome) => Blobs.Values.Count(b => b.Outcome == outcome);

    /// <summary>
    /// Recomputes <see cref="Owners"/> from the index and the documents read so far, so blobs that
    /// come after their manifest in tar order go straight to the sink instead of the spool.
    /// </summary>
    public void RefreshOwners()
    {
        if (Images is null)
        {
            return;
        }

        foreach (var (descriptor, image) in Images)
        {
            if (Digest.TryParse(descriptor.Digest, out var digest))
            {
                Collect(digest, image.Repository, depth: 0);
            }
        }
    }

    private void Collect(Digest digest, RepositoryName repository, int depth)
    {
        var document = Document(digest);
        if (document is null || depth > 2)
        {
            return;
        }

        if (document.IsIndex)
        {
            foreach (var child in document.Manifests!)
            {
                if (Digest.TryParse(child.Digest, out var d))
                {
                    Collect(d, repository, depth + 1);
                }
            }

            return;
        }

        foreach (var blob in (document.Layers ?? []).Append(document.Config))
        {
            if (blob is not null && Digest.TryParse(blob.Digest, out var d))
            {
                Owners.TryAdd(d, repository);
            }
        }
    }

    private ManifestDocument? Document(Digest digest)
    {
        if (ParsedDocuments.TryGetValue(digest, out var cached))
        {
            return cached;
        }

        if (!Blobs.TryGetValue(digest, out var record) || record.Content is null)
        {
            return null;
        }

        ManifestDocument? parsed;
        try
        {
            parsed = ManifestDocument.Parse(record.Content, digest.ToString());
        }
        catch (LoadException)
        {
            // Reported with context when the images are resolved after the pass.
            parsed = null;
        }

        ParsedDocuments[digest] = parsed;
        return parsed;
    }
}
