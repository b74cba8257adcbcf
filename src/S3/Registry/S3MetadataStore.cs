using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using U7s.Oci;
using U7s.Registry.Storage;

namespace U7s.S3.Registry;

/// <summary>
/// Repository links as small S3 objects laid out by <see cref="RepositoryKeys"/>, with the semantics of
/// the filesystem store. Every write is one PUT of one object, atomic on S3, so concurrent replicas
/// never lose each other's tags, links or referrers; two writers of the same tag end with one of them.
/// Relies on strongly consistent reads after writes, listings included (radosgw in one zone, AWS).
/// </summary>
internal sealed class S3MetadataStore(S3Bucket bucket) : IMetadataStore
{
    /// <summary>Media types and digests are short; anything longer was not written by this store.</summary>
    private const int MaxLinkBytes = 4 * 1024;

    /// <summary>A descriptor carries the manifest's annotations, which the manifest size cap bounds loosely.</summary>
    private const int MaxReferrerBytes = 4 * 1024 * 1024;

    /// <summary>Listing requests in flight at once when a listing needs one request per repository or referrer.</summary>
    private const int Parallelism = 16;

    public async Task LinkBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        await bucket.PutAsync(RepositoryKeys.BlobLink(repository, digest), ReadOnlyMemory<byte>.Empty, cancellationToken);

    public async Task<bool> IsBlobLinkedAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        await bucket.HeadOrNullAsync(RepositoryKeys.BlobLink(repository, digest), cancellationToken) is not null;

    public Task<bool> UnlinkBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        DeleteIfExistsAsync(RepositoryKeys.BlobLink(repository, digest), cancellationToken);

    public async Task PutManifestAsync(RepositoryName repository, Digest digest, string mediaType, CancellationToken cancellationToken) =>
        await bucket.PutAsync(RepositoryKeys.ManifestLink(repository, digest), Encoding.UTF8.GetBytes(mediaType), cancellationToken);

    public async Task<string?> GetManifestMediaTypeOrNullAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        await bucket.ReadAllOrNullAsync(RepositoryKeys.ManifestLink(repository, digest), MaxLinkBytes, cancellationToken) is { } content
            ? Encoding.UTF8.GetString(content)
            : null;

    public Task<bool> DeleteManifestAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        DeleteIfExistsAsync(RepositoryKeys.ManifestLink(repository, digest), cancellationToken);

    public async IAsyncEnumerable<Digest> ListManifestsAsync(RepositoryName repository, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var o in bucket.ListAsync(RepositoryKeys.ManifestLinks(repository), cancellationToken))
        {
            if (RepositoryKeys.TryParseDigestKey(o.Key, out var digest))
            {
                yield return digest;
            }
        }
    }

    public async Task SetTagAsync(RepositoryName repository, Tag tag, Digest digest, CancellationToken cancellationToken)
    {
        if (await ResolveTagOrNullAsync(repository, tag, cancellationToken) != digest)
        {
            await bucket.PutAsync(RepositoryKeys.Tag(repository, tag), Encoding.UTF8.GetBytes(digest.ToString()), cancellationToken);
        }
    }

    public async Task<DateTimeOffset?> GetTagTimeOrNullAsync(RepositoryName repository, Tag tag, CancellationToken cancellationToken) =>
        (await bucket.HeadOrNullAsync(RepositoryKeys.Tag(repository, tag), cancellationToken))?.LastModified;

    public async Task<Digest?> ResolveTagOrNullAsync(RepositoryName repository, Tag tag, CancellationToken cancellationToken) =>
        await bucket.ReadAllOrNullAsync(RepositoryKeys.Tag(repository, tag), MaxLinkBytes, cancellationToken) is { } content
            && Digest.TryParse(Encoding.UTF8.GetString(content), out var digest)
            ? digest
            : null;

    public Task<bool> DeleteTagAsync(RepositoryName repository, Tag tag, CancellationToken cancellationToken) =>
        DeleteIfExistsAsync(RepositoryKeys.Tag(repository, tag), cancellationToken);

    public async Task<IReadOnlyList<string>?> ListTagsOrNullAsync(RepositoryName repository, CancellationToken cancellationToken)
    {
        var prefix = RepositoryKeys.Tags(repository);
        var tags = new List<string>();
        await foreach (var o in bucket.ListAsync(prefix, cancellationToken))
        {
            tags.Add(o.Key[prefix.Length..]);
        }

        // A repository exists while it holds anything of its own: a blob link is enough, as on the
        // filesystem. A parent of a nested repository holds nothing of its own and does not exist.
        if (tags.Count == 0 && !await bucket.AnyUnderAsync(RepositoryKeys.Own(repository), cancellationToken))
        {
            return null;
        }

        tags.Sort(StringComparer.Ordinal);
        return tags;
    }

    /// <summary>
    /// Walks the repository tree one level at a time with delimiter listings, a level's nodes listed
    /// concurrently: one request per namespace component, each answering both whether the node holds a
    /// manifest (an <c>_manifests/</c> common prefix exists only while a manifest link does) and which
    /// nested names lie below it. The alternatives cost more or are less exact: listing every key under
    /// <c>registry/repositories/</c> reads every layer link and tag of every repository, and a marker
    /// object per repository puts a second write on every manifest push and goes stale when the last
    /// manifest is deleted, so it needs the same per-repository check anyway. S3 has no empty
    /// directories, so a repository whose manifests are all gone simply stops appearing.
    /// </summary>
    public async Task<IReadOnlyList<string>> ListRepositoriesAsync(CancellationToken cancellationToken)
    {
        var found = new ConcurrentBag<string>();
        IReadOnlyList<string> level = [string.Empty];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };
        while (level.Count > 0)
        {
            var next = new ConcurrentBag<string>();
            await Parallel.ForEachAsync(level, parallel, async (name, token) =>
            {
                var (directories, _) = await bucket.ListDirectoryAsync(RepositoryKeys.Directory(name), token);
                foreach (var child in directories)
                {
                    if (!child.StartsWith('_'))
                    {
                        next.Add(name.Length == 0 ? child : $"{name}/{child}");
                    }
                    else if (child == "_manifests" && name.Length > 0)
                    {
                        found.Add(name);
                    }
                }
            });
            level = [.. next];
        }

        var result = found.ToList();
        result.Sort(StringComparer.Ordinal);
        return result;
    }

    public async Task AddReferrerAsync(RepositoryName repository, Digest subject, Descriptor referrer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(referrer);
        var key = RepositoryKeys.Referrer(repository, subject, Digest.Parse(referrer.Digest));
        await bucket.PutAsync(key, JsonSerializer.SerializeToUtf8Bytes(referrer, RegistryJsonContext.Default.Descriptor), cancellationToken);
    }

    public Task RemoveReferrerAsync(RepositoryName repository, Digest subject, Digest referrer, CancellationToken cancellationToken) =>
        bucket.DeleteAsync(RepositoryKeys.Referrer(repository, subject, referrer), cancellationToken);

    /// <summary>In referrer digest order, as on the filesystem; the descriptors are read concurrently.</summary>
    public async Task<IReadOnlyList<Descriptor>> ListReferrersAsync(RepositoryName repository, Digest subject, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        await foreach (var o in bucket.ListAsync(RepositoryKeys.Referrers(repository, subject), cancellationToken))
        {
            keys.Add(o.Key);
        }

        keys.Sort(StringComparer.Ordinal);
        var descriptors = new Descriptor?[keys.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, keys.Count), parallel, async (i, token) =>
        {
            // Null when a concurrent manifest delete removed it after the listing.
            if (await bucket.ReadAllOrNullAsync(keys[i], MaxReferrerBytes, token) is { } content)
            {
                descriptors[i] = JsonSerializer.Deserialize(content, RegistryJsonContext.Default.Descriptor);
            }
        });
        return descriptors.OfType<Descriptor>().ToList();
    }

    /// <summary>
    /// S3 deletes do not say whether there was an object, so this asks first. Two concurrent deletes may
    /// both answer true, as two concurrent deletes on the filesystem store may.
    /// </summary>
    private async Task<bool> DeleteIfExistsAsync(string key, CancellationToken cancellationToken)
    {
        if (await bucket.HeadOrNullAsync(key, cancellationToken) is null)
        {
            return false;
        }

        await bucket.DeleteAsync(key, cancellationToken);
        return true;
    }
}
