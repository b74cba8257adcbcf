namespace U7s.Registry.Blobs;

/// <summary>
/// Upload sessions each writer holds open, so that one writer cannot fill the storage with sessions it never
/// finishes (<see cref="RegistryOptions.MaxOpenUploadsPerWriter"/>). Counted by this process, from the
/// sessions it started: finished and cancelled ones leave at once, expired ones when the writer reaches the
/// limit and each of its sessions is looked up again.
/// </summary>
internal sealed class UploadQuota(RegistryOptions options)
{
    private readonly Dictionary<string, Writer> _writers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _owners = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public int Limit => options.MaxOpenUploadsPerWriter;

    /// <summary>Takes a slot for a session about to start; false when the writer holds <see cref="Limit"/> already.</summary>
    public bool TryReserve(string writer)
    {
        lock (_lock)
        {
            var w = _writers.TryGetValue(writer, out var found) ? found : _writers[writer] = new Writer();
            if (w.Open.Count + w.Reserved >= Limit)
            {
                return false;
            }

            w.Reserved++;
            return true;
        }
    }

    /// <summary>Turns a reserved slot into the started session <paramref name="uploadId"/>, or frees it when the start failed (null).</summary>
    public void Started(string writer, string? uploadId)
    {
        lock (_lock)
        {
            var w = _writers[writer];
            w.Reserved--;
            if (uploadId is not null)
            {
                w.Open.Add(uploadId);
                _owners[uploadId] = writer;
            }
            else if (w.Open.Count == 0 && w.Reserved == 0)
            {
                _writers.Remove(writer);
            }
        }
    }

    /// <summary>The sessions counted against the writer; the caller checks which still exist.</summary>
    public IReadOnlyList<string> OpenOf(string writer)
    {
        lock (_lock)
        {
            return _writers.TryGetValue(writer, out var w) ? [.. w.Open] : [];
        }
    }

    /// <summary>The session ended (finished, cancelled, expired): its slot is free.</summary>
    public void Ended(string uploadId)
    {
        lock (_lock)
        {
            if (_owners.Remove(uploadId, out var writer) && _writers.TryGetValue(writer, out var w))
            {
                w.Open.Remove(uploadId);
                if (w.Open.Count == 0 && w.Reserved == 0)
                {
                    _writers.Remove(writer);
                }
            }
        }
    }

    private sealed class Writer
    {
        public HashSet<string> Open { get; } = new(StringComparer.Ordinal);

        public int Reserved { get; set; }
    }
}
