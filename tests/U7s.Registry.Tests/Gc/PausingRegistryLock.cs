using U7s.Registry.Storage;

namespace U7s.Registry.Tests.Gc;

/// <summary>
/// The real registry lock with a hold point: the <paramref name="pauseAt"/>-th exclusive entry waits until the
/// test resumes it, so a test can act between a collection's marking and its sweep.
/// </summary>
internal sealed class PausingRegistryLock(IRegistryLock inner, int pauseAt) : IRegistryLock
{
    private readonly TaskCompletionSource _paused = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _resumed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _exclusiveEntries;

    /// <summary>Completes when the collection reached the hold point.</summary>
    public Task Paused => _paused.Task;

    public void Resume() => _resumed.TrySetResult();

    public Task<IAsyncDisposable> EnterSharedAsync(CancellationToken cancellationToken) => inner.EnterSharedAsync(cancellationToken);

    public async Task<IAsyncDisposable> EnterExclusiveAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _exclusiveEntries) == pauseAt)
        {
            _paused.TrySetResult();
            await _resumed.Task.WaitAsync(cancellationToken);
        }

        return await inner.EnterExclusiveAsync(cancellationToken);
    }
}
