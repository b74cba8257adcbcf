using U7s.Oci;
using U7s.Registry.Manifests;
using U7s.Registry.Storage;

namespace U7s.Registry.Gc;

/// <summary>
/// Online mark and sweep over any storage backend. Marking follows index → manifest → blob edges and
/// keeps referrers of live manifests; sweeping spares blobs used within the grace period and re-checks
/// each candidate under the exclusive registry lock, so a push in flight never loses a blob
/// (distribution issues 2881, 3178 in SPEC §7).
/// </summary>
public sealed class GarbageCollector(IBlobStore blobs, IMetadataStore metadata, IRegistryLock registryLock, TimeProvider time)
{
    /// <summary>Manifests larger than the registry's cap cannot have been pushed; reading stops there.</summary>
    private const int MaxManifestBytes = 64 * 1024 * 1024;

    public async Task<GcReport> RunAsync(GcOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var marked = new HashSet<Digest>();
        var deletedManifests = new List<(string, Digest)>();
        var liveManifests = 0;
        foreach (var name in await metadata.ListRepositoriesAsync(cancellationToken))
        {
            var repository = RepositoryName.Parse(name);
            var (live, dead) = await MarkRepositoryAsync(repository, options.DeleteUntagged, marked, cancellationToken);
            liveManifests += live;
            foreach (var (digest, subject) in dead)
            {
                deletedManifests.Add((name, digest));
                if (!options.DryRun)
                {
                    await metadata.DeleteManifestAsync(repository, digest, cancellationToken);
                    if (subject is { } s)
                    {
                        await metadata.RemoveReferrerAsync(repository, s, digest, cancellationToken);
                    }
                }
            }
        }

        var deletedBlobs = new List<(Digest, long)>();
        var spared = 0;
        var cutoff = time.GetUtcNow() - options.GracePeriod;
        var candidates = new List<Digest>();
        await foreach (var digest in blobs.ListAsync(cancellationToken))
        {
            if (!marked.Contains(digest))
            {
                candidates.Add(digest);
            }
        }

        await using (await registryLock.EnterExclusiveAsync(cancellationToken))
        {
            foreach (var digest in candidates)
            {
                // Re-read under the lock: a push that used the blob since marking has touched it.
                var lastUsed = await blobs.GetLastUsedOrNullAsync(digest, cancellationToken);
                var size = await blobs.GetSizeOrNullAsync(digest, cancellationToken);
                if (lastUsed is null || size is null)
                {
                    continue;
                }

                if (lastUsed > cutoff)
                {
                    spared++;
                    continue;
                }

                deletedBlobs.Add((digest, size.Value));
                if (!options.DryRun)
                {
                    await blobs.DeleteAsync(digest, cancellationToken);
                }
            }
        }

        return new GcReport(liveManifests, marked.Count, deletedManifests, deletedBlobs, spared, options.DryRun);
    }

    /// <summary>Marks what the repository's live manifests reach; returns the live count and the manifests to delete.</summary>
    private async Task<(int Live, List<(Digest Digest, Digest? Subject)> Dead)> MarkRepositoryAsync(RepositoryName repository, bool deleteUntagged, HashSet<Digest> marked, CancellationToken cancellationToken)
    {
        var all = new List<Digest>();
        await foreach (var digest in metadata.ListManifestsAsync(repository, cancellationToken))
        {
            all.Add(digest);
        }

        var parsed = new Dictionary<Digest, ParsedManifest?>();
        foreach (var digest in all)
        {
            parsed[digest] = await ReadOrNullAsync(digest, cancellationToken);
        }

        var live = new HashSet<Digest>();
        var pending = new Stack<Digest>();
        if (deleteUntagged)
        {
            foreach (var tag in await metadata.ListTagsOrNullAsync(repository, cancellationToken) ?? [])
            {
                if (await metadata.ResolveTagOrNullAsync(repository, Tag.Parse(tag), cancellationToken) is { } target)
                {
                    pending.Push(target);
                }
            }
        }
        else
        {
            all.ForEach(pending.Push);
        }

        // Fixpoint: children of live indexes are live, and so are manifests whose subject is live.
        var changed = true;
        while (changed)
        {
            while (pending.TryPop(out var digest))
            {
                if (!live.Add(digest) || !parsed.TryGetValue(digest, out var manifest) || manifest is null)
                {
                    continue;
                }

                foreach (var child in manifest.Manifests)
                {
                    pending.Push(child.Digest);
                }
            }

            changed = false;
            foreach (var (digest, manifest) in parsed)
            {
                if (!live.Contains(digest) && manifest?.Subject is { } subject && live.Contains(subject.Digest))
                {
                    pending.Push(digest);
                    changed = true;
                }
            }
        }

        foreach (var digest in live.Where(parsed.ContainsKey))
        {
            marked.Add(digest);
            foreach (var blob in parsed[digest]?.Blobs ?? [])
            {
                marked.Add(blob.Digest);
            }
        }

        return (live.Count(parsed.ContainsKey), all.Where(d => !live.Contains(d)).Select(d => (d, parsed[d]?.Subject?.Digest)).ToList());
    }

    private async Task<ParsedManifest?> ReadOrNullAsync(Digest digest, CancellationToken cancellationToken)
    {
        await using var content = await blobs.OpenReadOrNullAsync(digest, cancellationToken);
        if (content is null || content.Length > MaxManifestBytes)
        {
            return null;
        }

        var bytes = new byte[content.Length];
        await content.Stream.ReadExactlyAsync(bytes, cancellationToken);
        try
        {
            return ManifestParser.Parse(bytes, null);
        }
        catch (OciException)
        {
            return null;
        }
    }
}
