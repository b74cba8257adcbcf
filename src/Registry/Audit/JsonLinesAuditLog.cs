using System.Text;
using System.Text.Json;
using U7s.Oci;

namespace U7s.Registry.Audit;

/// <summary>
/// The audit log as JSON lines (one object per line: time, user, action, repository, digest), appended
/// to one file by every writer of the process. Each line is written whole and flushed before the
/// request that caused it is answered. The newest <see cref="RecentCapacity"/> events are also kept in memory
/// (read once from the file's end, then added as written), so the status page reads them without the file.
/// </summary>
public sealed class JsonLinesAuditLog(string path) : IAuditLog, IDisposable
{
    /// <summary>How many of the newest events <see cref="ReadRecentAsync"/> can return.</summary>
    public const int RecentCapacity = 256;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly LinkedList<AuditEvent> _recent = new();
    private bool _recentLoaded;

    public string Path { get; } = path;

    public async Task WriteAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        var line = JsonSerializer.Serialize(auditEvent, AuditJsonContext.Default.AuditEvent) + "\n";
        var bytes = Encoding.UTF8.GetBytes(line);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            await using (var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None))
            {
                await stream.WriteAsync(bytes, cancellationToken);
                await stream.FlushAsync(cancellationToken);
            }

            if (_recentLoaded)
            {
                Remember(auditEvent with { Remote = null });
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<AuditEvent>> ReadRecentAsync(int count, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_recentLoaded)
            {
                // Under the gate: no line is written between this read and the first one remembered.
                var newestFirst = await AuditTail.ReadRecentAsync(Path, RecentCapacity, cancellationToken);
                foreach (var e in newestFirst.Reverse())
                {
                    Remember(e);
                }

                _recentLoaded = true;
            }

            var recent = new List<AuditEvent>(Math.Min(count, _recent.Count));
            for (var node = _recent.Last; node is not null && recent.Count < count; node = node.Previous)
            {
                recent.Add(node.Value);
            }

            return recent;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private void Remember(AuditEvent auditEvent)
    {
        _recent.AddLast(auditEvent);
        if (_recent.Count > RecentCapacity)
        {
            _recent.RemoveFirst();
        }
    }
}
