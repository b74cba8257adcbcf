using System.Runtime.InteropServices;

namespace U7s.Registry.Storage;

/// <summary>
/// <see cref="IRegistryLock"/> as advisory <c>flock</c>s under the data root, visible to every process on
/// the host. FileStream's own locking is non-blocking and fixed to the share mode, so the descriptors
/// and the locks are handled directly.
/// <para><c>gc.lock</c> is the lock itself: pushes hold it shared, a collection exclusive. flock grants a
/// shared lock whenever no exclusive one is held, so a steady stream of pushes would starve a collection
/// waiting for it. <c>gc.gate</c> gives the collection priority: a push passes the gate (shared, released
/// once it holds the lock), a collection closes it (exclusive, held with the lock), so pushes that arrive
/// while a collection waits queue behind it.</para>
/// </summary>
internal sealed partial class FileRegistryLock(StoragePaths paths) : IRegistryLock
{
    private const int LockShared = 1;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int OReadWrite = 2;
    private const int OCreate = 0x40;
    private const int OCloseOnExec = 0x80000;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(5);

    public async Task<IAsyncDisposable> EnterSharedAsync(CancellationToken cancellationToken)
    {
        var gate = await LockAsync("gc.gate", LockShared, cancellationToken);
        try
        {
            return new Held(await LockAsync("gc.lock", LockShared, cancellationToken), -1);
        }
        finally
        {
            _ = Close(gate);
        }
    }

    public async Task<IAsyncDisposable> EnterExclusiveAsync(CancellationToken cancellationToken)
    {
        var gate = await LockAsync("gc.gate", LockExclusive, cancellationToken);
        try
        {
            return new Held(await LockAsync("gc.lock", LockExclusive, cancellationToken), gate);
        }
        catch
        {
            _ = Close(gate);
            throw;
        }
    }

    /// <summary>Opens the file and waits for the lock on it; the descriptor holds the lock until closed.</summary>
    private async Task<int> LockAsync(string name, int operation, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(paths.Root);
        var path = Path.Combine(paths.Root, name);
        var fd = Open(path, OReadWrite | OCreate | OCloseOnExec, Convert.ToInt32("644", 8));
        if (fd < 0)
        {
            throw new IOException($"cannot open {path} (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            while (Flock(fd, operation | LockNonBlocking) != 0)
            {
                await Task.Delay(Poll, cancellationToken);
            }
        }
        catch
        {
            _ = Close(fd);
            throw;
        }

        return fd;
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    /// <summary>Closing the descriptors releases the locks: the lock first, then the gate (when held).</summary>
    private sealed class Held(int fd, int gate) : IAsyncDisposable
    {
        private int _fd = fd;
        private int _gate = gate;

        public ValueTask DisposeAsync()
        {
            foreach (var held in new[] { Interlocked.Exchange(ref _fd, -1), Interlocked.Exchange(ref _gate, -1) })
            {
                if (held >= 0)
                {
                    _ = Close(held);
                }
            }

            return ValueTask.CompletedTask;
        }
    }
}
