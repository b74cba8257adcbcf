using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace U7s.Oci.Auth;

/// <summary>
/// Counts failed logins per (user, client address) in a sliding window; past the limit, that pair is
/// refused unchecked until its failures age out. Keyed by the pair, not by the user alone (anyone could
/// then lock out the admin from anywhere) nor by the address alone (one client's typos, or an attacker
/// behind the same NAT or proxy, would lock out every user there). An IPv6 client counts by its /64,
/// the block one host usually holds. A correct login clears its pair.
/// </summary>
public sealed class LoginThrottle(int maxFailures, TimeSpan window, TimeProvider time)
{
    /// <summary>Past this many tracked pairs, pairs whose failures all aged out are dropped.</summary>
    private const int SweepAbove = 10_000;

    private readonly ConcurrentDictionary<(string User, IPAddress Address), Queue<DateTimeOffset>> _failures = new();

    public bool IsBlocked(string user, IPAddress? address)
    {
        if (!_failures.TryGetValue(Key(user, address), out var queue))
        {
            return false;
        }

        lock (queue)
        {
            Trim(queue);
            return queue.Count >= maxFailures;
        }
    }

    public void Failed(string user, IPAddress? address)
    {
        if (_failures.Count > SweepAbove)
        {
            Sweep();
        }

        var queue = _failures.GetOrAdd(Key(user, address), _ => new Queue<DateTimeOffset>());
        lock (queue)
        {
            Trim(queue);
            queue.Enqueue(time.GetUtcNow());
        }
    }

    public void Succeeded(string user, IPAddress? address) => _failures.TryRemove(Key(user, address), out _);

    /// <summary>Pairs tracked now (for tests of the memory bound).</summary>
    internal int TrackedPairs => _failures.Count;

    private static (string, IPAddress) Key(string user, IPAddress? address)
    {
        if (address is null)
        {
            return (user, IPAddress.None);
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return (user, address.MapToIPv4());
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return (user, new IPAddress(bytes));
        }

        return (user, address);
    }

    private void Sweep()
    {
        foreach (var (key, queue) in _failures)
        {
            lock (queue)
            {
                Trim(queue);
                if (queue.Count == 0)
                {
                    _failures.TryRemove(key, out _);
                }
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
