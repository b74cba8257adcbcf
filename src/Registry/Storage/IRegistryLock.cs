namespace U7s.Registry.Storage;

/// <summary>
/// The lock garbage collection shares with manifest pushes, across processes (<c>u7s gc</c> runs beside
/// a serving registry): pushes hold it shared while they check references and link, a collection holds
/// it exclusive while it deletes. A store that does not answer fails an entry with a
/// <see cref="U7s.Oci.StorageException"/>; releasing (disposing) never throws and never waits long for the store:
/// a lease left behind expires by itself.
/// </summary>
public interface IRegistryLock
{
    /// <summary>Held by a manifest push from its reference check until its links are written.</summary>
    Task<IAsyncDisposable> EnterSharedAsync(CancellationToken cancellationToken);

    /// <summary>Held by a collection while it re-checks and deletes; waits for pushes in flight.</summary>
    Task<IAsyncDisposable> EnterExclusiveAsync(CancellationToken cancellationToken);
}
