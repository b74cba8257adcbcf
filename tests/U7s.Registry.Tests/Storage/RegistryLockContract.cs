using U7s.Registry.Storage;
using U7s.Testing;

namespace U7s.Registry.Tests.Storage;

/// <summary>
/// The contract every <see cref="IRegistryLock"/> backend must pass. Each <see cref="OpenLock"/> is the lock as
/// another process (another replica, <c>u7s gc</c>) opens it over the same data.
/// </summary>
public abstract class RegistryLockContract
{
    /// <summary>Long enough to tell "waits" from "has not got round to it yet".</summary>
    protected static readonly TimeSpan Blocked = TimeSpan.FromMilliseconds(600);

    protected static readonly TimeSpan Prompt = TimeSpan.FromSeconds(10);

    /// <summary>The lock over the backend's data, as one more process opens it.</summary>
    protected abstract IRegistryLock OpenLock();

    [ContractFact]
    public async Task Exclusive_WaitsForASharedHolderElsewhere()
    {
        var shared = await OpenLock().EnterSharedAsync(default);
        var exclusive = OpenLock().EnterExclusiveAsync(default);
        await Task.Delay(Blocked);
        Assert.False(exclusive.IsCompleted, "the collection entered while a push held the lock");

        await shared.DisposeAsync();
        await (await exclusive.WaitAsync(Prompt)).DisposeAsync();
    }

    [ContractFact]
    public async Task Shared_WaitsForAnExclusiveHolderElsewhere()
    {
        var exclusive = await OpenLock().EnterExclusiveAsync(default);
        var shared = OpenLock().EnterSharedAsync(default);
        await Task.Delay(Blocked);
        Assert.False(shared.IsCompleted, "a push entered while a collection held the lock");

        await exclusive.DisposeAsync();
        await (await shared.WaitAsync(Prompt)).DisposeAsync();
    }

    [ContractFact]
    public async Task Exclusive_ExcludesAnotherExclusive()
    {
        var first = await OpenLock().EnterExclusiveAsync(default);
        var second = OpenLock().EnterExclusiveAsync(default);
        await Task.Delay(Blocked);
        Assert.False(second.IsCompleted, "two collections held the lock at once");

        await first.DisposeAsync();
        await (await second.WaitAsync(Prompt)).DisposeAsync();
    }

    [ContractFact]
    public async Task Shared_ManyHoldersInTwoProcesses_AllInsideAtOnce_ThenAnExclusiveEnters()
    {
        var locks = new[] { OpenLock(), OpenLock() };

        var held = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => locks[i % 2].EnterSharedAsync(default))).WaitAsync(Prompt);
        var exclusive = OpenLock().EnterExclusiveAsync(default);
        await Task.Delay(Blocked);
        Assert.False(exclusive.IsCompleted);
        foreach (var lease in held)
        {
            await lease.DisposeAsync();
        }

        await (await exclusive.WaitAsync(Prompt)).DisposeAsync();
    }

    [ContractFact]
    public async Task WaitingExclusive_IsNotStarvedByLaterSharedEntrants()
    {
        var push = OpenLock();
        var early = await push.EnterSharedAsync(default);
        var exclusive = OpenLock().EnterExclusiveAsync(default);
        await Task.Delay(Blocked);
        var late = push.EnterSharedAsync(default);
        await Task.Delay(Blocked);
        Assert.False(late.IsCompleted, "a push overtook the waiting collection");
        Assert.False(exclusive.IsCompleted);

        await early.DisposeAsync();
        var held = await exclusive.WaitAsync(Prompt);
        Assert.False(late.IsCompleted, "a push entered while the collection held the lock");
        await held.DisposeAsync();
        await (await late.WaitAsync(Prompt)).DisposeAsync();
    }

    [ContractFact]
    public async Task CancelledExclusiveWait_Throws_AndPushesGoOn()
    {
        var push = OpenLock();
        var shared = await push.EnterSharedAsync(default);
        using var cancel = new CancellationTokenSource(Blocked);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => OpenLock().EnterExclusiveAsync(cancel.Token));

        await (await push.EnterSharedAsync(default).WaitAsync(Prompt)).DisposeAsync();
        await shared.DisposeAsync();
        await (await OpenLock().EnterExclusiveAsync(default).WaitAsync(Prompt)).DisposeAsync();
    }

    [ContractFact]
    public async Task CancelledSharedWait_Throws_AndLeavesNothingHeld()
    {
        var exclusive = await OpenLock().EnterExclusiveAsync(default);
        using var cancel = new CancellationTokenSource(Blocked);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => OpenLock().EnterSharedAsync(cancel.Token));

        await exclusive.DisposeAsync();
        await (await OpenLock().EnterExclusiveAsync(default).WaitAsync(Prompt)).DisposeAsync();
    }

    [ContractFact]
    public async Task Release_Twice_IsHarmless_AndFreesTheLockOnce()
    {
        var exclusive = await OpenLock().EnterExclusiveAsync(default);
        await exclusive.DisposeAsync();
        var again = await OpenLock().EnterExclusiveAsync(default).WaitAsync(Prompt);

        await exclusive.DisposeAsync();
        var shared = OpenLock().EnterSharedAsync(default);
        await Task.Delay(Blocked);
        Assert.False(shared.IsCompleted, "releasing a lease twice released another holder's lock");

        await again.DisposeAsync();
        await (await shared.WaitAsync(Prompt)).DisposeAsync();
    }
}
