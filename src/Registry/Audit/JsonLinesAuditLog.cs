using System.Text;
using System.Text.Json;
using U7s.Oci;

namespace U7s.Registry.Audit;

/// <summary>
/// The audit log as JSON lines (one object per line: time, user, action, repository, digest), appended
/// to one file by every writer of the process. Each line is written whole and flushed before the
/// request that caused it is answered.
/// </summary>
public sealed class JsonLinesAuditLog(string path) : IAuditLog, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

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
            await using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None);
            await stream.WriteAsync(bytes, cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
