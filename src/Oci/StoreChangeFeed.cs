namespace U7s.Oci;

/// <summary>
/// The one <see cref="IStoreChanges"/> of a process: the stores <see cref="Raise"/> into it, caches subscribe.
/// Nothing is queued: each change bumps <see cref="Version"/> and is handed to the observers in turn, so memory
/// does not grow with the number of changes or of clients making them.
/// </summary>
/// <param name="observerFailed">Told about an observer that threw (for the log); the write goes on.</param>
public sealed class StoreChangeFeed(Action<Exception>? observerFailed = null) : IStoreChanges
{
    private readonly Lock _subscribing = new();
    private Action<StoreChange>[] _observers = [];
    private long _version;
    private long _observerFailures;

    public long Version => Interlocked.Read(ref _version);

    /// <summary>How many times an observer threw.</summary>
    public long ObserverFailures => Interlocked.Read(ref _observerFailures);

    public IDisposable Subscribe(Action<StoreChange> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (_subscribing)
        {
            Volatile.Write(ref _observers, [.. _observers, observer]);
        }

        return new Subscription(this, observer);
    }

    /// <summary>Called by a store once <paramref name="change"/> is committed and visible. Never throws for an observer.</summary>
    public void Raise(StoreChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        Interlocked.Increment(ref _version);
        foreach (var observer in Volatile.Read(ref _observers))
        {
            try
            {
                observer(change);
            }
            catch (Exception e)
            {
                // The change is committed whatever an observer does; failing the write now would report a
                // stored manifest or signature as not stored.
                Interlocked.Increment(ref _observerFailures);
                observerFailed?.Invoke(e);
            }
        }
    }

    private sealed class Subscription(StoreChangeFeed feed, Action<StoreChange> observer) : IDisposable
    {
        public void Dispose()
        {
            lock (feed._subscribing)
            {
                Volatile.Write(ref feed._observers, [.. feed._observers.Where(o => o != observer)]);
            }
        }
    }
}
