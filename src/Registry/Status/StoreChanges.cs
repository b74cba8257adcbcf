namespace U7s.Registry.Status;

/// <summary>
/// Counts the changes this process makes to the store (every audited push, delete and signature
/// write), so a cached view can tell it is out of date without reading the store again.
/// </summary>
public sealed class StoreChanges
{
    private long _count;

    /// <summary>Changes so far; a different value than before means the store changed.</summary>
    public long Current => Interlocked.Read(ref _count);

    public void Changed() => Interlocked.Increment(ref _count);
}
