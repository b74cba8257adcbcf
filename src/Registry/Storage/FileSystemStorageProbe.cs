using U7s.Oci;

namespace U7s.Registry.Storage;

/// <summary>
/// The filesystem backend's probe: the data root must be there (an unmounted or vanished disk is not). The look
/// runs on a pool thread, so a hung mount (NFS) costs one thread, not the caller's deadline; the caller never
/// starts a second look while one hangs.
/// </summary>
internal sealed class FileSystemStorageProbe(StoragePaths paths) : IStorageProbe
{
    public async Task ProbeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var look = Task.Run(() => Directory.Exists(paths.Root), CancellationToken.None);
        try
        {
            if (!await look.WaitAsync(timeout, cancellationToken))
            {
                throw new StorageException(StorageFailure.Unavailable, $"data root {paths.Root} is missing (or not readable)");
            }
        }
        catch (TimeoutException e)
        {
            throw new StorageException(StorageFailure.Unavailable, $"data root {paths.Root} did not answer within {timeout:g}", e);
        }
    }
}
