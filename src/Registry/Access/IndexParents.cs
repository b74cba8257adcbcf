using System.Collections.Concurrent;
using U7s.Oci;
using U7s.Registry.Manifests;
using U7s.Registry.Storage;

namespace U7s.Registry.Access;

/// <summary>
/// Which image indexes of a repository list a manifest. A found parent is remembered for
/// <see cref="EnforceOptions.RecheckAfter"/>; a miss is never remembered, so an index pushed a moment
/// ago (on this replica or another) is found on the next read. A miss costs one listing of the
/// repository's manifests; their contents are read once per digest (<see cref="ManifestSummaries"/>).
/// </summary>
internal sealed class IndexParents(IMetadataStore metadata, ManifestSummaries summaries, RegistryOptions options, TimeProvider time)
{
    private const int MaxCached = 100_000;

    private readonly ConcurrentDictionary<(RepositoryName Repository, Digest Child), (IReadOnlyList<Digest> Parents, long Until)> _found = new();

    /// <summary>The indexes of <paramref name="repository"/> whose <c>manifests</c> list <paramref name="child"/>.</summary>
    public async ValueTask<IReadOnlyList<Digest>> FindAsync(RepositoryName repository, Digest child, CancellationToken cancellationToken)
    {
        var now = time.GetTimestamp();
        if (_found.TryGetValue((repository, child), out var hit) && now < hit.Until)
        {
            return hit.Parents;
        }

        var parents = new List<Digest>();
        await foreach (var digest in metadata.ListManifestsAsync(repository, cancellationToken))
        {
            var mediaType = await metadata.GetManifestMediaTypeOrNullAsync(repository, digest, cancellationToken);
            if (MediaTypes.IsIndex(mediaType)
                && await summaries.GetOrNullAsync(digest, mediaType!, cancellationToken) is { } summary
                && summary.Children.Contains(child))
            {
                parents.Add(digest);
            }
        }

        if (parents.Count > 0)
        {
            if (_found.Count >= MaxCached)
            {
                _found.Clear();
            }

            _found[(repository, child)] = (parents, now + (long)(options.Enforce.RecheckAfter.TotalSeconds * time.TimestampFrequency));
        }

        return parents;
    }
}
