using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using U7s.Oci;
using U7s.Registry.Storage;

namespace U7s.S3.Registry;

/// <summary>
/// <see cref="IRegistryLock"/> across every replica and <c>u7s gc</c> process sharing the bucket, built from
/// leases on conditional writes. Each holder owns a marker object whose body is its expiry time (and,
/// for people reading the bucket, who holds it), renewed every <see cref="S3RegistryLockOptions.RenewInterval"/>
/// while held and deleted on release; a marker past its expiry is ignored, so a crashed holder blocks
/// others for at most one <see cref="S3RegistryLockOptions.Lease"/>.
/// <list type="bullet">
/// <item><b>Shared</b> (a manifest push): PUT <c>registry/locks/shared/&lt;random id&gt;</c>, then GET
/// <c>registry/locks/exclusive</c>. None, or an expired one: held. A live one: delete the own marker, poll
/// until the exclusive marker is gone or expired, start over.</item>
/// <item><b>Exclusive</b> (a collection): create <c>registry/locks/exclusive</c> with PUT-if-absent, expiring
/// after twice the drain wait. If one exists and is live, poll; if it expired, replace it with PUT-if-match on
/// the ETag read, which only one of several racers wins. Then list <c>registry/locks/shared/</c> until no live
/// shared marker remains (shared markers expired a whole further lease ago are deleted as a crashed holder's
/// debris), extend the marker to a whole lease, list once more, and hold it, renewed, until released.</item>
/// <item><b>Stepping back</b>: pushes in flight for longer than <see cref="S3RegistryLockOptions.DrainWait"/>
/// are most likely a crashed replica's lease, which lives on until it expires. The collection deletes its marker
/// so pushes go on, waits without a marker until the leases it waited for are gone or expired, and tries again
/// with twice the patience. So a crashed push costs the other replicas' pushes at most the drain wait, not a lease.</item>
/// </list>
/// Why it excludes: a push writes its marker before it reads the exclusive key, a collection writes the
/// exclusive key before it lists the markers. Whichever write comes second, the other side's later read
/// sees it: either the push finds the exclusive key and backs off, or the collection finds the push's
/// marker and waits. The short-lived marker of a collection still draining may be judged expired by a push
/// whose clock runs ahead; that push's own marker is then listed by the collection, which waits for it; the
/// marker is a whole lease long before the last listing, so no push can enter once a collection holds the lock.
/// Pushes back off while a collection waits, so a stream of pushes cannot starve it.
/// <para>Assumptions: reads and listings are strongly consistent after writes (radosgw within one zone,
/// AWS S3; not radosgw multi-site, which replicates between zones asynchronously); PUT with
/// <c>If-None-Match: *</c> and <c>If-Match</c> is atomic (radosgw checks it in the head object's write);
/// the replicas' clocks agree to well within a lease, because a marker's expiry is written by the holder's
/// clock and judged by the reader's; and a live holder never stalls for a whole lease. Releasing waits at most
/// <see cref="ReleaseWait"/> for the store, so a request that failed because the store stopped answering does not
/// wait a second deadline for its lease; the marker then expires by itself. A holder that did
/// stall finds at its next renewal that its marker was replaced or deleted: it logs the lost lease (a
/// shared holder writes a fresh marker so later collections wait for it again), but any overlap that
/// already happened cannot be undone.</para>
/// </summary>
internal sealed partial class S3RegistryLock : IRegistryLock
{
    public const string ExclusiveKey = "registry/locks/exclusive";
    public const string SharedPrefix = "registry/locks/shared/";

    /// <summary>The longest a release waits for the store before the caller goes on (the delete goes on meanwhile).</summary>
    public static readonly TimeSpan ReleaseWait = TimeSpan.FromSeconds(1);

    /// <summary>Markers are one short line; anything longer was not written here.</summary>
    private const int MaxMarkerBytes = 1024;

    private static readonly string Owner = $"{Environment.MachineName} pid {Environment.ProcessId}";

    private readonly S3Bucket _bucket;
    private readonly TimeProvider _time;
    private readonly S3RegistryLockOptions _options;
    private readonly ILogger<S3RegistryLock> _logger;

    public S3RegistryLock(S3Bucket bucket, TimeProvider time, S3RegistryLockOptions options, ILogger<S3RegistryLock> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate().FirstOrDefault() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        _bucket = bucket;
        _time = time;
        _options = options;
        _logger = logger;
    }

    public async Task<IAsyncDisposable> EnterSharedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var id = NewLeaseId();
            var key = SharedPrefix + id;
            var lease = new Lease(this, key, id, await _bucket.PutAsync(key, NewMarker(id, _options.Lease), cancellationToken), shared: true);
            try
            {
                if (await ReadLiveExclusiveOrNullAsync(cancellationToken) is null)
                {
                    lease.StartRenewing();
                    return lease;
                }
            }
            catch
            {
                await lease.DisposeAsync();
                throw;
            }

            // A collection holds or waits for the lock: step out of its way, so it is not kept waiting.
            await lease.DisposeAsync();
            while (await ReadLiveExclusiveOrNullAsync(cancellationToken) is not null)
            {
                await Task.Delay(_options.Poll, _time, cancellationToken);
            }
        }
    }

    public async Task<IAsyncDisposable> EnterExclusiveAsync(CancellationToken cancellationToken)
    {
        var patience = _options.DrainWait;
        while (true)
        {
            var lease = await CreateExclusiveAsync(patience * 2, cancellationToken);
            IReadOnlyList<string>? blocking;
            try
            {
                blocking = await DrainAsync(lease, patience, cancellationToken);
                if (blocking is { Count: 0 })
                {
                    lease.StartRenewing();
                    return lease;
                }
            }
            catch
            {
                // Cancelled while waiting: pushes must not stay blocked behind a collection that gave up.
                await lease.DisposeAsync();
                throw;
            }

            await lease.DisposeAsync();
            if (blocking is null)
            {
                // The marker outlived itself while a request was slow, and another collection took it over.
                continue;
            }

            // Pushes in flight longer than the patience: most likely a crashed replica's lease. Let the others'
            // pushes through while it expires, then try again, more patient in case they were only slow.
            Log.SteppedBack(_logger, blocking.Count, patience);
            await WaitGoneAsync(blocking, cancellationToken);
            patience = TimeSpan.FromTicks(Math.Min(patience.Ticks * 2, _options.Lease.Ticks / 2));
        }
    }

    /// <summary>
    /// Waits up to <paramref name="patience"/> for the live shared markers to go; once none is left, extends the
    /// marker to a whole lease and checks once more. Returns the markers still live (empty: held), or null when the
    /// marker is no longer this lease's.
    /// </summary>
    private async Task<IReadOnlyList<string>?> DrainAsync(Lease lease, TimeSpan patience, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            var live = await LiveSharedAsync(cancellationToken);
            if (live.Count == 0)
            {
                if (!await lease.ExtendAsync(cancellationToken))
                {
                    return null;
                }

                live = await LiveSharedAsync(cancellationToken);
                if (live.Count == 0)
                {
                    return live;
                }
            }

            if (_time.GetElapsedTime(started) >= patience)
            {
                return live;
            }

            await Task.Delay(_options.Poll, _time, cancellationToken);
        }
    }

    /// <summary>Polls, holding no marker, until each of <paramref name="keys"/> is deleted or expired.</summary>
    private async Task WaitGoneAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var left = keys.ToList();
        while (left.Count > 0)
        {
            await Task.Delay(_options.Poll, _time, cancellationToken);
            var still = new List<string>();
            foreach (var key in left)
            {
                if (await ReadMarkerOrNullAsync(key, cancellationToken) is { } marker && IsLive(marker))
                {
                    still.Add(key);
                }
            }

            left = still;
        }
    }

    private async Task<Lease> CreateExclusiveAsync(TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var id = NewLeaseId();
        while (true)
        {
            if (await _bucket.CreateOrNullAsync(ExclusiveKey, NewMarker(id, lifetime), cancellationToken) is { } created)
            {
                return new Lease(this, ExclusiveKey, id, created, shared: false);
            }

            if (await ReadMarkerOrNullAsync(ExclusiveKey, cancellationToken) is { } current && !IsLive(current))
            {
                if (await _bucket.ReplaceOrNullAsync(ExclusiveKey, NewMarker(id, lifetime), current.ETag, cancellationToken) is { } taken)
                {
                    Log.ExpiredLeaseTakenOver(_logger, ExclusiveKey, current.Owner, current.Expires);
                    return new Lease(this, ExclusiveKey, id, taken, shared: false);
                }

                continue;
            }

            await Task.Delay(_options.Poll, _time, cancellationToken);
        }
    }

    private async Task<Marker?> ReadLiveExclusiveOrNullAsync(CancellationToken cancellationToken) =>
        await ReadMarkerOrNullAsync(ExclusiveKey, cancellationToken) is { } marker && IsLive(marker) ? marker : null;

    /// <summary>The keys of the live shared markers; removes those long expired on the way.</summary>
    private async Task<IReadOnlyList<string>> LiveSharedAsync(CancellationToken cancellationToken)
    {
        var live = new List<string>();
        await foreach (var o in _bucket.ListAsync(SharedPrefix, cancellationToken))
        {
            if (await ReadMarkerOrNullAsync(o.Key, cancellationToken) is not { } marker)
            {
                continue;
            }

            if (IsLive(marker))
            {
                live.Add(o.Key);
            }
            else if (marker.Expires + _options.Lease < _time.GetUtcNow())
            {
                // Long dead (a live holder renews well inside a lease): a crashed push's debris.
                Log.ExpiredLeaseRemoved(_logger, o.Key, marker.Owner, marker.Expires);
                await _bucket.DeleteAsync(o.Key, cancellationToken);
            }
        }

        return live;
    }

    private bool IsLive(Marker marker) => marker.Expires > _time.GetUtcNow();

    /// <summary>Unique per lease, and part of the marker's body, so no two holders' markers ever share an ETag.</summary>
    private static string NewLeaseId() => Guid.NewGuid().ToString("N");

    private byte[] NewMarker(string leaseId, TimeSpan lifetime) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{(_time.GetUtcNow() + lifetime).ToUnixTimeMilliseconds()} {Owner} lease {leaseId}\n"));

    /// <summary>The marker, or null when there is none. One that cannot be read counts as expired: only this type writes there.</summary>
    private async Task<Marker?> ReadMarkerOrNullAsync(string key, CancellationToken cancellationToken)
    {
        using var response = await _bucket.GetOrNullAsync(key, 0, null, cancellationToken);
        if (response is null)
        {
            return null;
        }

        var etag = response.ETag;
        if (response.Length > MaxMarkerBytes)
        {
            return new Marker(DateTimeOffset.MinValue, "?", etag);
        }

        using var reader = new StreamReader(response.Body, Encoding.UTF8);
        var text = (await reader.ReadToEndAsync(cancellationToken)).Trim();
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return long.TryParse(space < 0 ? text : text[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            && milliseconds <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()
            ? new Marker(DateTimeOffset.FromUnixTimeMilliseconds(milliseconds), space < 0 ? "?" : text[(space + 1)..], etag)
            : new Marker(DateTimeOffset.MinValue, "?", etag);
    }

    private sealed record Marker(DateTimeOffset Expires, string Owner, string ETag);

    /// <summary>A held marker: renewed in the background until disposed, then deleted.</summary>
    private sealed class Lease(S3RegistryLock owner, string key, string id, string etag, bool shared) : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task _renewing = Task.CompletedTask;
        private string _etag = etag;
        private int _disposed;

        public void StartRenewing() => _renewing = RenewAsync(_stop.Token);

        /// <summary>Rewrites the marker to last a whole lease; false when it is no longer this lease's.</summary>
        public async Task<bool> ExtendAsync(CancellationToken cancellationToken)
        {
            if (await owner._bucket.ReplaceOrNullAsync(key, owner.NewMarker(id, owner._options.Lease), _etag, cancellationToken) is not { } extended)
            {
                return false;
            }

            _etag = extended;
            return true;
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            await _stop.CancelAsync();
            await _renewing;
            _stop.Dispose();

            // A release must not be cancelled halfway (the marker would hold others up until it expires), but a
            // caller whose request failed because the store stopped answering must not wait for it either.
            var release = ReleaseAsync();
            await Task.WhenAny(release, Task.Delay(ReleaseWait));
        }

        private async Task ReleaseAsync()
        {
            try
            {
                if (shared || (await owner.ReadMarkerOrNullAsync(key, CancellationToken.None))?.ETag == _etag)
                {
                    await owner._bucket.DeleteAsync(key, CancellationToken.None);
                }
            }
            catch (StorageException e)
            {
                Log.ReleaseFailed(owner._logger, key, owner._options.Lease, e);
            }
        }

        private async Task RenewAsync(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(owner._options.RenewInterval, owner._time, stop);
                    if (await owner._bucket.ReplaceOrNullAsync(key, owner.NewMarker(id, owner._options.Lease), _etag, stop) is { } renewed)
                    {
                        _etag = renewed;
                        continue;
                    }

                    Log.LeaseLost(owner._logger, key);
                    if (!shared)
                    {
                        // Another collection took the expired lease over; it is its to renew and delete now.
                        return;
                    }

                    _etag = await owner._bucket.PutAsync(key, owner.NewMarker(id, owner._options.Lease), stop);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (StorageException e)
                {
                    // Retried at the next interval; the lease outlasts two missed renewals.
                    Log.RenewalFailed(owner._logger, key, e);
                }
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Registry lock lease {Key} was lost: its holder stalled past the lease and another process may have entered")]
        public static partial void LeaseLost(ILogger logger, string key);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing registry lock lease {Key} failed; retrying")]
        public static partial void RenewalFailed(ILogger logger, string key, Exception exception);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing registry lock lease {Key} failed; it expires within {Lease}")]
        public static partial void ReleaseFailed(ILogger logger, string key, TimeSpan lease, Exception exception);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Took over registry lock {Key} from {Owner}, whose lease expired at {Expires}")]
        public static partial void ExpiredLeaseTakenOver(ILogger logger, string key, string owner, DateTimeOffset expires);

        [LoggerMessage(Level = LogLevel.Warning, Message = "A collection stepped back after waiting {Patience} for {Count} manifest pushes in flight (a crashed replica's lease lives until it expires); pushes go on meanwhile")]
        public static partial void SteppedBack(ILogger logger, int count, TimeSpan patience);

        [LoggerMessage(Level = LogLevel.Information, Message = "Removed registry lock lease {Key} of {Owner}, expired since {Expires}")]
        public static partial void ExpiredLeaseRemoved(ILogger logger, string key, string owner, DateTimeOffset expires);
    }
}
