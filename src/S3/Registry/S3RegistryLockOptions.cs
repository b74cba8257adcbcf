namespace U7s.S3.Registry;

/// <summary>Timing of <see cref="S3RegistryLock"/>'s leases. The defaults suit a registry; tests shorten them.</summary>
public sealed class S3RegistryLockOptions
{
    /// <summary>
    /// How long a holder's marker counts without being renewed: the longest a crashed push can hold up a
    /// collection, or a crashed collection hold up pushes. Must exceed any stall of a live holder and the
    /// clock difference between replicas by a wide margin.
    /// </summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a holder renews its marker; well inside <see cref="Lease"/>, so one failed renewal does not lose it.</summary>
    public TimeSpan RenewInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a collection keeps pushes waiting for the pushes in flight before it steps back: the most a crashed
    /// replica's lease (or a stalled one's) costs the pushes of all the others. Pushes hold the lock for a few
    /// requests, well under a second on a healthy store; a collection that steps back waits for those leases
    /// without blocking anyone and tries again with twice the patience (up to half a lease), so slow pushes never
    /// starve it. A collection that crashes while it waits blocks pushes for at most twice this.
    /// </summary>
    public TimeSpan DrainWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How often a waiting entrant looks again. Each look is one or two S3 requests.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Returns every problem with these timings, as one-line messages.</summary>
    public IEnumerable<string> Validate()
    {
        if (Poll <= TimeSpan.Zero || RenewInterval <= TimeSpan.Zero || DrainWait <= TimeSpan.Zero)
        {
            yield return "lock Poll, RenewInterval and DrainWait must be positive";
        }

        if (DrainWait * 4 > Lease)
        {
            yield return $"lock DrainWait {DrainWait} must be at most a quarter of the Lease {Lease}";
        }

        if (RenewInterval * 2 > Lease)
        {
            yield return $"lock RenewInterval {RenewInterval} must be at most half the Lease {Lease}";
        }
    }
}
