namespace U7s.Registry.Storage;

/// <summary>The readiness probe of a storage backend: one cheap request that only a store that answers can answer.</summary>
public interface IStorageProbe
{
    /// <summary>
    /// Returns once the store answered. MUST throw <see cref="U7s.Oci.StorageException"/> when it does not answer
    /// within <paramref name="timeout"/> or refuses, and MUST NOT cost the store more than one small request.
    /// </summary>
    Task ProbeAsync(TimeSpan timeout, CancellationToken cancellationToken);
}
