using U7s.Oci;
using U7s.Registry.Access;
using U7s.Registry.Manifests;
using U7s.Registry.Storage;

namespace U7s.Registry.Status;

/// <summary>
/// Gathers <see cref="RegistryStatus"/>: every tag of every repository, its manifest's digest, size and
/// push time, the node policy's report on its signatures, and the recent audit events (from <see cref="IAuditLog"/>), then filtered.
/// Repositories are read in parallel; manifest summaries and signature reports come from their caches.
/// <para>
/// The whole list is one shared snapshot, kept for <see cref="EnforceOptions.RecheckAfter"/> and
/// filtered by every page that follows, until a store of this process commits a change (<see cref="IStoreChanges"/>).
/// At most one rebuild runs at a time, and requests that find the list out of date share it: a filter
/// costs no more than the unfiltered page, however many arrive at once. A push or a
/// signature through either port, or any other change through this process's stores, shows at once, a change by another process (the loader writing the
/// store, another replica) within twice that bound: the list is kept for one, and the signature
/// verdicts it was built from may be up to one old.
/// </para>
/// </summary>
internal sealed class StatusCollector(
    IMetadataStore metadata, ManifestSummaries summaries, IImageSignatures signatures, IStoreChanges changes, IAuditLog audit, RegistryOptions options, TimeProvider time, ITrustedKeyList? trustedKeys = null) : IDisposable
{
    private static readonly DateTimeOffset StartedAt = new(System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime(), TimeSpan.Zero);

    private static readonly string Version =
        typeof(StatusCollector).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "unknown";

    /// <summary>How many audit events the page shows.</summary>
    public const int RecentEventCount = 50;

    /// <summary>One rebuild of the list at a time; every request, filtered or not, waits for it and filters its result.</summary>
    private readonly SemaphoreSlim _rebuild = new(1, 1);

    private Snapshot? _all;
    private long _rebuilds;

    /// <summary>How many times the whole list was read from the store (for tests of the sharing).</summary>
    internal long Rebuilds => Interlocked.Read(ref _rebuilds);

    public async Task<RegistryStatus> CollectAsync(StatusFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var all = await CurrentAsync(cancellationToken);
        IReadOnlyList<ImageStatus> images = string.IsNullOrEmpty(filter.Repository) && string.IsNullOrEmpty(filter.Signer)
            ? all.Images
            : all.Images.Where(i => filter.MatchesRepository(i.Repository) && filter.MatchesSigner(i)).ToList();
        // Read per page, not kept with the list: the audit line of a change is written after the store raised it.
        var recent = await audit.ReadRecentAsync(RecentEventCount * 4, cancellationToken);
        var events = recent.Where(e => filter.MatchesRepository(e.Repository)).Take(RecentEventCount).ToList();
        var hasPolicy = !string.IsNullOrEmpty(options.Enforce.Policy);
        return new RegistryStatus(time.GetUtcNow(), options.Enforce.Mode.ToString().ToLowerInvariant(), hasPolicy, filter, images, events, all.Summary);
    }

    /// <summary>
    /// The whole list as it is now: the kept one while it is younger than RecheckAfter and this process
    /// changed nothing since it was read, else a new one. A request that finds the list out of date waits
    /// for the rebuild under way (there is at most one) and takes its result when that rebuild began after
    /// the last change this request knows of; so any number of requests after an expiry cost one rebuild.
    /// </summary>
    private async Task<Snapshot> CurrentAsync(CancellationToken cancellationToken)
    {
        var known = changes.Version;
        if (Fresh(known) is { } fresh)
        {
            return fresh;
        }

        await _rebuild.WaitAsync(cancellationToken);
        try
        {
            if (Fresh(known) is { } rebuilt)
            {
                return rebuilt;
            }

            // Read before collecting: a change during the collection makes the next page collect again.
            var before = changes.Version;
            var taken = time.GetTimestamp();
            Interlocked.Increment(ref _rebuilds);
            var images = await CollectImagesAsync(cancellationToken);
            var snapshot = new Snapshot(images, await SummaryAsync(cancellationToken), before, taken);
            Volatile.Write(ref _all, snapshot);
            return snapshot;
        }
        finally
        {
            _rebuild.Release();
        }
    }

    public void Dispose() => _rebuild.Dispose();

    private Snapshot? Fresh(long known) =>
        Volatile.Read(ref _all) is { } all && all.Changes >= known && time.GetElapsedTime(all.Taken) < options.Enforce.RecheckAfter ? all : null;

    private async Task<RegistrySummary> SummaryAsync(CancellationToken cancellationToken)
    {
        var keys = trustedKeys is null ? [] : await trustedKeys.ListTrustedKeysAsync(cancellationToken);
        long? total = null, free = null;
        try
        {
            // The filesystem holding the data root (statfs): what a full disk would stop.
            var drive = new DriveInfo(options.DataRoot);
            (total, free) = (drive.TotalSize, drive.AvailableFreeSpace);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Not there (yet), or not a local filesystem: the summary says nothing of the disk.
        }

        var policy = string.IsNullOrEmpty(options.Enforce.Policy) ? null : options.Enforce.Policy;
        return new RegistrySummary(Version, StartedAt, policy, keys, options.DataRoot, total, free);
    }

    private async Task<IReadOnlyList<ImageStatus>> CollectImagesAsync(CancellationToken cancellationToken)
    {
        var repositories = await metadata.ListRepositoriesAsync(cancellationToken);
        var perRepository = new IReadOnlyList<ImageStatus>[repositories.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, repositories.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(4, Environment.ProcessorCount * 2), CancellationToken = cancellationToken },
            async (i, ct) => perRepository[i] = await CollectRepositoryAsync(RepositoryName.Parse(repositories[i]), ct));
        return perRepository.SelectMany(r => r).ToList();
    }

    private async Task<IReadOnlyList<ImageStatus>> CollectRepositoryAsync(RepositoryName repository, CancellationToken cancellationToken)
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
            // This tag's own time in this repository: the same digest pushed elsewhere later changes no other row.
            var pushed = await metadata.GetTagTimeOrNullAsync(repository, tag, cancellationToken);
            var report = await signatures.ReportAsync(repository, tag, digest, cancellationToken);
            images.Add(new ImageStatus(
                repository.Value, name, digest.ToString(), mediaType, summary?.TotalBytes ?? 0, pushed,
                report.IsAllowed, report.RequiresSignature, report.Summary, report.Signatures));
        }

        return images;
    }

    /// <summary>Every tagged image and the summary, as read at <paramref name="Taken"/>, after <paramref name="Changes"/> store changes.</summary>
    private sealed record Snapshot(IReadOnlyList<ImageStatus> Images, RegistrySummary Summary, long Changes, long Taken);
}
