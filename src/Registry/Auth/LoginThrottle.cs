using System.Collections.Concurrent;
using System.Net;

namespace U7s.Registry.Auth;

/// <summary>Counts failed logins per client address in a sliding window; past the limit, logins are refused unchecked.</summary>
internal sealed class LoginThrottle(AuthOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<IPAddress, Queue<DateTimeOffset>> _failures = new();

    public bool IsBlocked(IPAddress? address)
    {
        if (address is null || !_failures.TryGetValue(address, out var queue))
        {
            return false;
        }

        lock (queue)
        {
            Trim(queue);
            return queue.Count >= options.MaxFailedLogins;
        }
    }

    public void Failed(IPAddress? address)
    {
        if (address is null)
        {
            return;
        }

        var queue = _failures.GetOrAdd(address, _ => new Queue<DateTimeOffset>());
        lock (queue)
        {
            Trim(queue);
            queue.Enqueue(time.GetUtcNow());
        }
    }

    private void Trim(Queue<DateTimeOffset> queue)
    {
        var cutoff = time.GetUtcNow() - options.FailedLoginWindow;
        while (queue.Count > 0 && queue.Peek() < cutoff)
        {
            queue.Dequeue();
        }
    }
}
