using U7s.Oci;
using U7s.Registry.Storage;

namespace U7s.Registry.Gc;

/// <summary>
/// Online mark and sweep over any storage backend, beside serving registries (SPEC §7, distribution issues
/// 2881, 3178). Marking follows index → manifest → blob edges and keeps referrers of live manifests.
/// <list type="number">
/// <item>The cutoff (start minus the grace period) is read under the exclusive lock, before marking: every
/// push that began earlier has finished and shows in the listings, and every later one touches what it
/// uses after the cutoff.</item>
/// <item>Marking runs without the lock, from listings. Manifests and blobs used since the cutoff are kept,
/// referenced or not.</item>
/// <item>Under the exclusive lock, where no push and no commit of a stored blob runs, each candidate is
/// decided again from when it was last used. That is enough: whatever makes an unreachable manifest reachable
/// (a tag PUT of it, an index naming it, a tag or index reaching the manifest it refers to or the index that
/// holds it) is a manifest push, and a push touches the manifest it stores and every manifest and blob it
/// names; what a used manifest reaches is kept with it. A blob is deleted only if no live manifest reaches
/// it and it was last used before the cutoff.</item>
/// </list>
/// The work under the lock grows with what is about to be deleted, not with the size of the registry.
/// </summary>
public sealed class GarbageCollector(IBlobStore blobs, IMetadataStore metadata, IRegistryLock registryLock, TimeProvider time)
{
    public async Task<GcReport> RunAsync(GcOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate().FirstOrDefault() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        DateTimeOffset cutoff;
        await using (await registryLock.EnterExclusiveAsync(cancellationToken))
        {
            cutoff = time.GetUtcNow() - options.GracePeriod;
        }

        var manifests = new ManifestCache(blobs);
        var repositories = new List<RepositoryMarks>();
        var sparedManifests = 0;
        foreach (var name in await metadata.ListRepositoriesAsync(cancellationToken))
        {
            var marks = await MarkRepositoryAsync(RepositoryName.Parse(name), options.DeleteUntagged, manifests, cancellationToken);
            sparedManifests += await SpareUsedSinceAsync(marks, cutoff, manifests, cancellationToken);
            repositories.Add(marks);
        }

        var marked = await ReachedAsync(repositories, manifests, cancellationToken);
        var candidates = new List<Digest>();
        var sparedBlobs = 0;
        await foreach (var digest in blobs.ListAsync(cancellationToken))
        {
            if (marked.Contains(digest))
            {
                continue;
            }

            // Used since the cutoff: stays so, as use only moves the time forward. Only older ones are decided under the lock.
            if (await blobs.GetLastUsedOrNullAsync(digest, cancellationToken) >= cutoff)
            {
                sparedBlobs++;
            }
            else
            {
                candidates.Add(digest);
            }
        }

        var deletedManifests = new List<(string, Digest)>();
        var deletedBlobs = new List<(Digest, long)>();
        await using (await registryLock.EnterExclusiveAsync(cancellationToken))
        {
            foreach (var marks in repositories.Where(r => r.Dead.Any()))
            {
                sparedManifests += await SpareUsedSinceAsync(marks, cutoff, manifests, cancellationToken);
                foreach (var digest in marks.Dead.ToList())
                {
                    deletedManifests.Add((marks.Repository.Value, digest));
                    if (!options.DryRun)
                    {
                        await metadata.DeleteManifestAsync(marks.Repository, digest, cancellationToken);
                        if ((await manifests.GetOrNullAsync(digest, cancellationToken))?.Subject is { } subject)
                        {
                            await metadata.RemoveReferrerAsync(marks.Repository, subject.Digest, digest, cancellationToken);
                        }
                    }
                }
            }

            marked.UnionWith(await ReachedAsync(repositories, manifests, cancellationToken));
            foreach (var digest in candidates.Where(d => !marked.Contains(d)))
            {
                var lastUsed = await blobs.GetLastUsedOrNullAsync(digest, cancellationToken);
                var size = await blobs.GetSizeOrNullAsync(digest, cancellationToken);
                if (lastUsed is null || size is null)
                {
                    continue;
                }

                if (lastUsed >= cutoff)
                {
                    sparedBlobs++;
                    continue;
                }

                deletedBlobs.Add((digest, size.Value));
                if (!options.DryRun)
                {
                    await blobs.DeleteAsync(digest, cancellationToken);
                }
            }
        }

        return new GcReport(repositories.Sum(r => r.Live.Count), marked.Count, deletedManifests, deletedBlobs, sparedBlobs, sparedManifests, options.DryRun);
    }

    /// <summary>
    /// Lists the repository's manifests and marks them live: with <paramref name="deleteUntagged"/> what its
    /// tags reach, otherwise all of them.
    /// </summary>
    private async Task<RepositoryMarks> MarkRepositoryAsync(RepositoryName repository, bool deleteUntagged, ManifestCache manifests, CancellationToken cancellationToken)
    {
        var held = new List<Digest>();
        await foreach (var digest in metadata.ListManifestsAsync(repository, cancellationToken))
        {
            held.Add(digest);
        }

        var marks = new RepositoryMarks(repository, held);
        var roots = new Stack<Digest>();
        if (deleteUntagged)
        {
            foreach (var tag in await metadata.ListTagsOrNullAsync(repository, cancellationToken) ?? [])
            {
                if (await metadata.ResolveTagOrNullAsync(repository, Tag.Parse(tag), cancellationToken) is { } target)
                {
                    roots.Push(target);
                }
            }
        }
        else
        {
            held.ForEach(roots.Push);
        }

        await ReachAsync(marks, roots, manifests, cancellationToken);
        return marks;
    }

    /// <summary>Makes dead manifests used since <paramref name="cutoff"/> live, with what they keep; returns how many became live.</summary>
    private async Task<int> SpareUsedSinceAsync(RepositoryMarks marks, DateTimeOffset cutoff, ManifestCache manifests, CancellationToken cancellationToken)
    {
        var before = marks.Live.Count;
        var roots = new Stack<Digest>();
        foreach (var digest in marks.Dead)
        {
            if (await blobs.GetLastUsedOrNullAsync(digest, cancellationToken) >= cutoff)
            {
                roots.Push(digest);
            }
        }

        await ReachAsync(marks, roots, manifests, cancellationToken);
        return marks.Live.Count - before;
    }

    /// <summary>
    /// Grows the live set from <paramref name="roots"/> to a fixpoint: children of live indexes are live, and
    /// so are the repository's manifests whose subject is live. Only manifests the repository holds become live.
    /// </summary>
    private static async Task ReachAsync(RepositoryMarks marks, Stack<Digest> roots, ManifestCache manifests, CancellationToken cancellationToken)
    {
        var changed = roots.Count > 0;
        while (changed)
        {
            while (roots.TryPop(out var digest))
            {
                if (!marks.Held.Contains(digest) || !marks.Live.Add(digest) || await manifests.GetOrNullAsync(digest, cancellationToken) is not { } manifest)
                {
                    continue;
                }

                foreach (var child in manifest.Manifests)
                {
                    roots.Push(child.Digest);
                }
            }

            changed = false;
            foreach (var digest in marks.Dead.ToList())
            {
                if ((await manifests.GetOrNullAsync(digest, cancellationToken))?.Subject is { } subject && marks.Live.Contains(subject.Digest))
                {
                    roots.Push(digest);
                    changed = true;
                }
            }
        }
    }

    /// <summary>Every live manifest of every repository and every blob they reference.</summary>
    private static async Task<HashSet<Digest>> ReachedAsync(List<RepositoryMarks> repositories, ManifestCache manifests, CancellationToken cancellationToken)
    {
        var reached = new HashSet<Digest>();
        foreach (var digest in repositories.SelectMany(r => r.Live).Distinct())
        {
            reached.Add(digest);
            foreach (var blob in (await manifests.GetOrNullAsync(digest, cancellationToken))?.Blobs ?? [])
            {
                reached.Add(blob.Digest);
            }
        }

        return reached;
    }
}
