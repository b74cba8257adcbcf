namespace U7s.Oci;

/// <summary>
/// The changes the stores of this process commit (manifests, tags, signatures, blobs), for caches that must
/// see them at once. A change made by another process (another replica on the same bucket, a file written
/// into the signature tree directly) raises nothing here: caches still bound their age for those.
/// </summary>
public interface IStoreChanges
{
    /// <summary>How many changes were committed so far; a different value than before means something changed.</summary>
    long Version { get; }

    /// <summary>
    /// Calls <paramref name="observer"/> for every change from now on, on the writer's thread, after the change is
    /// visible and before the write returns, so what it invalidates is invalid before anyone learns of the change.
    /// It MUST return at once (update memory, queue nothing unbounded); an exception from it is reported and
    /// never fails the write. Dispose the result to stop.
    /// </summary>
    IDisposable Subscribe(Action<StoreChange> observer);
}
