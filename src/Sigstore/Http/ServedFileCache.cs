using System.Collections.Concurrent;

namespace U7s.Sigstore.Http;

/// <summary>
/// Small files the :81 endpoint served a moment ago, kept so the next GETs of the same signature skip
/// the open, stat, read and close that dominate a request (every node pull reads the same few files).
/// An entry is served for at most <see cref="MaxAge"/> after the tree last let it through its rules; then
/// the next request opens the file again through the tree, which applies them afresh. So a file that is
/// deleted, replaced, made unreadable to others or reached through a symlink stops being served within
/// <see cref="MaxAge"/>. Only files found are kept (a signature added after a 404 is served at once).
/// Bounded by entry count and bytes: when either is full, expired entries go, then everything.
/// </summary>
internal sealed class ServedFileCache(TimeProvider time, TimeSpan maxAge, int maxEntries, long maxBytes, int maxFileBytes)
{
    /// <summary>How long an entry is served without looking at the tree again: the bound stated in the README.</summary>
    public static readonly TimeSpan DefaultMaxAge = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, CachedFile> _entries = new(StringComparer.Ordinal);
    private readonly Lock _writeGate = new();
    private long _bytes;

    /// <summary>The cache :81 uses: one second, 4,096 files, 8 MiB, files of at most 64 KiB (a signature is about 1 KiB).</summary>
    public ServedFileCache(TimeProvider time)
        : this(time, DefaultMaxAge, 4096, 8L << 20, 64 << 10)
    {
    }

    public TimeSpan MaxAge => maxAge;

    /// <summary>Files larger than this are never kept.</summary>
    public int MaxFileBytes => maxFileBytes;

    public int Count => _entries.Count;

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>The file at <paramref name="path"/> if it was let through less than <see cref="MaxAge"/> ago.</summary>
    public bool TryGet(string path, out CachedFile entry)
    {
        if (_entries.TryGetValue(path, out entry!) && time.GetElapsedTime(entry.CheckedAt) < maxAge)
        {
            return true;
        }

        entry = null!;
        return false;
    }

    /// <summary>Keeps <paramref name="content"/> of <paramref name="path"/>, just read through the tree's rules.</summary>
    public void Add(string path, byte[] content, DateTimeOffset lastModified)
    {
        if (content.Length > maxFileBytes || content.Length > maxBytes)
        {
            return;
        }

        var entry = new CachedFile(content, lastModified, time.GetTimestamp());
        lock (_writeGate)
        {
            if (_entries.TryRemove(path, out var old))
            {
                _bytes -= old.Content.Length;
            }

            if (_entries.Count >= maxEntries || _bytes + content.Length > maxBytes)
            {
                Trim();
            }

            if (_entries.Count >= maxEntries || _bytes + content.Length > maxBytes)
            {
                _entries.Clear();
                _bytes = 0;
            }

            _entries[path] = entry;
            _bytes += content.Length;
        }
    }

    /// <summary>Forgets <paramref name="path"/>: the tree no longer serves it.</summary>
    public void Remove(string path)
    {
        if (!_entries.ContainsKey(path))
        {
            return;
        }

        lock (_writeGate)
        {
            if (_entries.TryRemove(path, out var old))
            {
                _bytes -= old.Content.Length;
            }
        }
    }

    private void Trim()
    {
        foreach (var (path, entry) in _entries)
        {
            if (time.GetElapsedTime(entry.CheckedAt) >= maxAge && _entries.TryRemove(path, out var removed))
            {
                _bytes -= removed.Content.Length;
            }
        }
    }
}
