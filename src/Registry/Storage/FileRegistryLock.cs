using U7s.Native;

namespace U7s.Registry.Storage;

/// <summary>
/// <see cref="IRegistryLock"/> as advisory <c>flock</c>s under the data root (<see cref="AdvisoryLock"/>), visible
/// to every process on the host.
/// <para><c>gc.lock</c> is the lock itself: pushes hold it shared, a collection exclusive. flock grants a
/// shared lock whenever no exclusive one is held, so a steady stream of pushes would starve a collection
/// waiting for it. <c>gc.gate</c> gives the collection priority: a push passes the gate (shared, released
/// once it holds the lock), a collection closes it (exclusive, held with the lock), so pushes that arrive
/// while a collection waits queue behind it.</para>
/// </summary>
internal sealed class FileRegistryLock(StoragePaths paths) : IRegistryLock
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(5);

    public async Task<IAsyncDisposable> EnterSharedAsync(CancellationToken cancellationToken)
    {
        using var gate = await LockAsync("gc.gate", exclusive: false, cancellationToken);
        return new Held(await LockAsync("gc.lock", exclusive: false, cancellationToken), null);
    }

    public async Task<IAsyncDisposable> EnterExclusiveAsync(CancellationToken cancellationToken)
    {
        var gate = await LockAsync("gc.gate", exclusive: true, cancellationToken);
        try
        {
            return new Held(await LockAsync("gc.lock", exclusive: true, cancellationToken), gate);
        }
        catch
        {
            gate.Dispose();
            throw;
        }
    }

    /// <summary>Opens the file and waits for the lock on it; the lock is held until it is disposed.</summary>
    private async Task<AdvisoryLock> LockAsync(string name, bool exclusive, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(paths.Root);
        var held = AdvisoryLock.Open(Path.Combine(paths.Root, name));
        try
        {
            while (!held.TryEnter(exclusive))
            {
                await Task.Delay(Poll, cancellationToken);
            }
        }
        catch
        {
            held.Dispose();
            throw;
        }

        return held;
    }

    /// <summary>Releasing closes the lock first, then the gate (when held).</summary>
    private sealed class Held(AdvisoryLock held, AdvisoryLock? gate) : IAsyncDisposable
    {
        private AdvisoryLock? _held = held;
        private AdvisoryLock? _gate = gate;

        public ValueTask DisposeAsync()
        {
            Interlocked.Exchange(ref _held, null)?.Dispose();
            Interlocked.Exchange(ref _gate, null)?.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
