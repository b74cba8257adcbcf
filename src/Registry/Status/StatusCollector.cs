using U7s.Oci;
using U7s.Registry.Access;
using U7s.Registry.Manifests;
using U7s.Registry.Storage;

namespace U7s.Registry.Status;

/// <summary>
/// Gathers <see cref="RegistryStatus"/>: every tag of every repository (filtered), its manifest's
/// digest, size and push time, the node policy's report on its signatures, and the recent audit
/// events. Repositories are read in parallel; manifest summaries and signature reports come from
/// their caches, so a page repeats only the tag lookups.
/// </summary>
internal sealed class StatusCollector(
    IMetadataStore metadata, IBlobStore blobs, ManifestSummaries summaries, IImageSignatures signatures, RegistryOptions options, TimeProvider time)
{
    /// <summary>How many audit events the page shows.</summary>
    public const int RecentEventCount = 50;

    public async Task<RegistryStatus> CollectAsync(StatusFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var repositories = (await metadata.ListRepositoriesAsync(cancellationToken)).Where(filter.MatchesRepository).ToList();
        var perRepository = new IReadOnlyList<ImageStatus>[repositories.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, repositories.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(4, Environment.ProcessorCount * 2), CancellationToken = cancellationToken },
            async (i, ct) => perRepository[i] = await CollectRepositoryAsync(RepositoryName.Parse(repositories[i]), filter, ct));
        var events = (await AuditTail.ReadRecentAsync(options.AuditLogPath, RecentEventCount * 4, cancellationToken))
            .Where(e => filter.MatchesRepository(e.Repository))
            .Take(RecentEventCount)
            .ToList();
        var hasPolicy = !string.IsNullOrEmpty(options.Enforce.Policy);
        return new RegistryStatus(time.GetUtcNow(), options.Enforce.Mode.ToString().ToLowerInvariant(), hasPolicy, filter, perRepository.SelectMany(r => r).ToList(), events);
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
}
