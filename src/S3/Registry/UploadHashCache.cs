using System.Security.Cryptography;

namespace U7s.S3.Registry;

/// <summary>
/// The running SHA-256 of the uploads this process appended to from their first byte, each valid only at the
/// length it covers. When another replica appends, the upload moves past that length and the entry is useless:
/// the commit then reads the assembled bytes back instead. Entries are tiny; they go when the upload ends or
/// idles past the expiry.
/// </summary>
internal sealed class UploadHashCache(TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>A private copy of the hash of the upload's first <paramref name="length"/> bytes, or null when this process does not have it.</summary>
    public IncrementalHash? CloneAt(string id, long length)
    {
        if (length == 0)
        {
            return IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }

        lock (_lock)
        {
            return _entries.TryGetValue(id, out var entry) && entry.Length == length ? entry.Hash.Clone() : null;
        }
    }

    /// <summary>Keeps <paramref name="hash"/> (the cache owns it now) as the hash of the upload's first <paramref name="length"/> bytes.</summary>
    public void Set(string id, long length, IncrementalHash hash)
    {
        lock (_lock)
        {
            if (_entries.Remove(id, out var old))
            {
                old.Hash.Dispose();
            }

            _entries[id] = new Entry(length, hash, time.GetUtcNow());
        }
    }

    public void Remove(string id)
    {
        lock (_lock)
        {
            if (_entries.Remove(id, out var old))
            {
                old.Hash.Dispose();
            }
        }
    }

    /// <summary>Forgets the uploads not appended to since <paramref name="cutoff"/>.</summary>
    public void RemoveIdle(DateTimeOffset cutoff)
    {
        lock (_lock)
        {
            foreach (var (id, entry) in _entries.Where(e => e.Value.Used < cutoff).ToList())
            {
                _entries.Remove(id);
                entry.Hash.Dispose();
            }
        }
    }

    internal int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    private sealed record Entry(long Length, IncrementalHash Hash, DateTimeOffset Used);
}
