using U7s.Oci;

namespace U7s.Testing;

/// <summary>
/// Subscribes to a <see cref="StoreChangeFeed"/> and records every change with whether the <c>visible</c> check
/// held at the moment it was raised (checked inside the observer, so a change raised before it was committed
/// is caught). Contract suites use it to check each kind of change is raised exactly once, after it is visible.
/// </summary>
public sealed class StoreChangeRecorder : IDisposable
{
    private readonly List<(StoreChange Change, bool Visible)> _seen = [];
    private readonly IDisposable _subscription;

    public StoreChangeRecorder(StoreChangeFeed feed, Func<StoreChange, Task<bool>> visible)
    {
        ArgumentNullException.ThrowIfNull(feed);
        _subscription = feed.Subscribe(change =>
        {
            // Off the test's synchronization context: the check is asynchronous and the observer is not.
            var isVisible = Task.Run(() => visible(change)).GetAwaiter().GetResult();
            lock (_seen)
            {
                _seen.Add((change, isVisible));
            }
        });
    }

    /// <summary>Returns what was raised since the last call and forgets it.</summary>
    public IReadOnlyList<(StoreChange Change, bool Visible)> Take()
    {
        lock (_seen)
        {
            var taken = _seen.ToList();
            _seen.Clear();
            return taken;
        }
    }

    /// <summary>Asserts that exactly <paramref name="expected"/> was raised since the last call, once, when it was already visible.</summary>
    public void AssertOnly(StoreChange expected)
    {
        var taken = Take();
        var (change, visible) = Xunit.Assert.Single(taken);
        Xunit.Assert.Equal(expected, change);
        Xunit.Assert.True(visible, $"{change.Kind} was raised before the change was visible");
    }

    /// <summary>Asserts that nothing was raised since the last call.</summary>
    public void AssertNone() => Xunit.Assert.Empty(Take());

    public void Dispose() => _subscription.Dispose();
}
