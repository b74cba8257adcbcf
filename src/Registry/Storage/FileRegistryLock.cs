using System.Runtime.InteropServices;

namespace U7s.Registry.Storage;

/// <summary>
/// <see cref="IRegistryLock"/> as an advisory <c>flock</c> on <c>&lt;root&gt;/gc.lock</c>, visible to every
/// process on the host. FileStream's own locking is non-blocking and fixed to the share mode, so the
/// descriptor and the lock are handled directly.
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

    public Task<IAsyncDisposable> EnterSharedAsync(CancellationToken cancellationToken) => EnterAsync(LockShared, cancellationToken);

    public Task<IAsyncDisposable> EnterExclusiveAsync(CancellationToken cancellationToken) => EnterAsync(LockExclusive, cancellationToken);

    private async Task<IAsyncDisposable> EnterAsync(int operation, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(paths.Root);
        var fd = Open(Path.Combine(paths.Root, "gc.lock"), OReadWrite | OCreate | OCloseOnExec, Convert.ToInt32("644", 8));
        if (fd < 0)
        {
            throw new IOException($"cannot open {paths.Root}/gc.lock (errno {Marshal.GetLastPInvokeError()})");
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

        return new Held(fd);
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    /// <summary>Closing the descriptor releases the lock.</summary>
    private sealed class Held(int fd) : IAsyncDisposable
    {
        private int _fd = fd;

        public ValueTask DisposeAsync()
        {
            var fd = Interlocked.Exchange(ref _fd, -1);
            if (fd >= 0)
            {
                _ = Close(fd);
            }

            return ValueTask.CompletedTask;
        }
    }
}
