using U7s.Oci;
using U7s.Registry.Access;
using U7s.Registry.Manifests;
using U7s.Registry.Storage;

namespace U7s.Registry.Status;

/// <summary>
/// Gathers <see cref="RegistryStatus"/>: every tag of every repository (filtered), its manifest's
/// digest, size and push time, the node policy's report on its signatures, and the recent audit
/// events. Repositories are read in parallel; manifest summaries and signature reports come from
/// their caches.
/// <para>
/// The whole list is kept for <see cref="EnforceOptions.RecheckAfter"/> and reused, filtered, by the
/// pages that follow, until this process changes the store (<see cref="StoreChanges"/>): a push or a
/// signature through either port shows at once, a change by another process (the loader writing the
/// store, another replica) within twice that bound: the list is kept for one, and the signature
/// verdicts it was built from may be up to one old.
/// </para>
/// </summary>
internal sealed class StatusCollector(
    IMetadataStore metadata, IBlobStore blobs, ManifestSummaries summaries, IImageSignatures signatures, StoreChanges changes, RegistryOptions options, TimeProvider time)
{
    /// <summary>How many audit events the page shows.</summary>
    public const int RecentEventCount = 50;

    private Snapshot? _all;

    public async Task<RegistryStatus> CollectAsync(StatusFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        IReadOnlyList<ImageStatus> images;
        var unfiltered = string.IsNullOrEmpty(filter.Repository) && string.IsNullOrEmpty(filter.Signer);
        if (Volatile.Read(ref _all) is { } all && all.Changes == changes.Current && time.GetElapsedTime(all.Taken) < options.Enforce.RecheckAfter)
        {
            images = unfiltered ? all.Images : all.Images.Where(i => filter.MatchesRepository(i.Repository) && filter.MatchesSigner(i)).ToList();
        }
        else if (unfiltered)
        {
            // Read before collecting: a change during the collection makes the next page collect again.
            var before = changes.Current;
            var taken = time.GetTimestamp();
            images = await CollectImagesAsync(filter, cancellationToken);
            Volatile.Write(ref _all, new Snapshot(images, before, taken));
        }
        else
        {
            images = await CollectImagesAsync(filter, cancellationToken);
        }

        var events = (await AuditTail.ReadRecentAsync(options.AuditLogPath, RecentEventCount * 4, cancellationToken))
            .Where(e => filter.MatchesRepository(e.Repository))
            .Take(RecentEventCount)
            .ToList();
        var hasPolicy = !string.IsNullOrEmpty(options.Enforce.Policy);
        return new RegistryStatus(time.GetUtcNow(), options.Enforce.Mode.ToString().ToLowerInvariant(), hasPolicy, filter, images, events);
    }

    private async Task<IReadOnlyList<ImageStatus>> CollectImagesAsync(StatusFilter filter, CancellationToken cancellationToken)
    {
        var repositories = (await metadata.ListRepositoriesAsync(cancellationToken)).Where(filter.MatchesRepository).ToList();
        var perRepository = new IReadOnlyList<ImageStatus>[repositories.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, repositories.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(4, Environment.ProcessorCount * 2), CancellationToken = cancellationToken },
            async (i, ct) => perRepository[i] = await CollectRepositoryAsync(RepositoryName.Parse(repositories[i]), filter, ct));
        return perRepository.SelectMany(r => r).ToList();
    }

    private async Task<IReadOnlyList<ImageStatus>> CollectRepositoryAsync(RepositoryName repository, StatusFilter filter, CancellationToken cancellationToken)
    {
        var images = new List<ImageStatus>();
        foreach (var name in await metadata.ListTagsOrNullAsync(repository, cancellationToken) ?? [])
        {
            var tag = Tag.Parse(name);
            if (await metadata.ResolveTagOrNullAsync(repository, tag, cancellationToken) is not { } digest
                || await metadata.GetManifestMediaTypeOrNullAsync(repository, digest, cancellationToken) is not { } mediaType)
            {
                // Deleted between the listing and now.
                continue;
            }

            var summary = await summaries.GetOrNullAsync(digest, mediaType, cancellationToken);
            var pushed = await blobs.GetLastUsedOrNullAsync(digest, cancellationToken);
            var report = await signatures.ReportAsync(repository, tag, digest, cancellationToken);
            var image = new ImageStatus(
                repository.Value, name, digest.ToString(), mediaType, summary?.TotalBytes ?? 0, pushed,
                report.IsAllowed, report.RequiresSignature, report.Summary, report.Signatures);
            if (filter.MatchesSigner(image))
            {
                images.Add(image);
            }
        }

        return images;
    }

    private sealed record Snapshot(IReadOnlyList<ImageStatus> Images, long Changes, long Taken);
}
