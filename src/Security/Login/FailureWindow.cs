using System.Collections.Concurrent;

namespace U7s.Security.Login;

/// <summary>
/// Failure times per key within a sliding window, in bounded memory: each key keeps at most
/// <c>limit</c> times (callers stop counting once a key is at its limit), and at most
/// <see cref="MaxKeys"/> keys are kept. Past that, keys whose failures all aged out go first, then those
/// whose last failure is oldest, so one client inventing keys can neither grow the table nor wipe out
/// another's recent count short of outrunning the whole table within the window.
/// </summary>
internal sealed class FailureWindow<TKey>(TimeSpan window, TimeProvider time)
    where TKey : notnull
{
    /// <summary>Most keys kept.</summary>
    public const int MaxKeys = 10_000;

    private readonly ConcurrentDictionary<TKey, Queue<DateTimeOffset>> _failures = new();
    private readonly Lock _sweep = new();

    /// <summary>Keys tracked now.</summary>
    public int Count => _failures.Count;

    /// <summary>Failures of <paramref name="key"/> within the window.</summary>
    public int FailuresOf(TKey key)
    {
        if (!_failures.TryGetValue(key, out var queue))
        {
            return 0;
        }

        lock (queue)
        {
            Trim(queue);
            return queue.Count;
        }
    }

    public void Add(TKey key)
    {
        if (_failures.Count >= MaxKeys)
        {
            Shrink();
        }

        var queue = _failures.GetOrAdd(key, _ => new Queue<DateTimeOffset>());
        lock (queue)
        {
            Trim(queue);
            queue.Enqueue(time.GetUtcNow());
        }
    }

    public void Remove(TKey key) => _failures.TryRemove(key, out _);

    /// <summary>Drops aged-out keys; if that is not enough, the oldest, down to nine tenths of the bound (so this runs rarely).</summary>
    private void Shrink()
    {
        lock (_sweep)
        {
            if (_failures.Count < MaxKeys)
            {
                return;
            }

            var newest = new List<(TKey Key, DateTimeOffset Last)>(_failures.Count);
            foreach (var (key, queue) in _failures)
            {
                lock (queue)
                {
                    Trim(queue);
                    if (queue.Count == 0)
                    {
                        _failures.TryRemove(key, out _);
                    }
                    else
                    {
                        newest.Add((key, queue.Last()));
                    }
                }
            }

            var excess = _failures.Count - (MaxKeys * 9 / 10);
            foreach (var (key, _) in newest.OrderBy(e => e.Last).Take(Math.Max(0, excess)))
            {
                _failures.TryRemove(key, out _);
            }
        }
    }

    private void Trim(Queue<DateTimeOffset> queue)
    {
        var cutoff = time.GetUtcNow() - window;
        while (queue.Count > 0 && queue.Peek() < cutoff)
        {
            queue.Dequeue();
        }
    }
}
