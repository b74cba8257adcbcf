namespace U7s.Cli.Wiring.Login;

/// <summary>
/// Bearer tokens by (realm, service, scope, user) until shortly before they expire. Bounded: past
/// <see cref="MaxEntries"/> the expired entries go, then the one expiring first; one run of a verb touches a
/// handful of repositories, so the bound is never reached in normal use.
/// </summary>
internal sealed class TokenCache(TimeProvider time)
{
    public const int MaxEntries = 256;

    /// <summary>A token is not used in its last seconds: a request that starts just before expiry would fail with it.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, (string Token, DateTimeOffset Expires)> _tokens = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _tokens.Count;
            }
        }
    }

    public string? Get(string key)
    {
        lock (_gate)
        {
            if (_tokens.TryGetValue(key, out var entry) && entry.Expires - Margin > time.GetUtcNow())
            {
                return entry.Token;
            }

            _tokens.Remove(key);
            return null;
        }
    }

    public void Set(string key, string token, DateTimeOffset expires)
    {
        lock (_gate)
        {
            if (_tokens.Count >= MaxEntries && !_tokens.ContainsKey(key))
            {
                var now = time.GetUtcNow();
                foreach (var expired in _tokens.Where(t => t.Value.Expires - Margin <= now).Select(t => t.Key).ToList())
                {
                    _tokens.Remove(expired);
                }

                if (_tokens.Count >= MaxEntries)
                {
                    _tokens.Remove(_tokens.MinBy(t => t.Value.Expires).Key);
                }
            }

            _tokens[key] = (token, expires);
        }
    }
}
