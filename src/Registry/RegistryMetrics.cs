using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace U7s.Registry;

/// <summary>
/// Process-wide counters exposed on <c>/metrics</c> in the Prometheus text format. Plain interlocked
/// counters: the hot paths pay one atomic add, and no metrics library is needed.
/// </summary>
public sealed class RegistryMetrics
{
    private readonly ConcurrentDictionary<string, long> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _errors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _manifestAccess = new(StringComparer.Ordinal);
    private long _bytesSent;
    private long _bytesReceived;
    private long _uploads;

    public void RequestCompleted(string method, int status) =>
        _requests.AddOrUpdate($"method=\"{method}\",status=\"{status.ToString(CultureInfo.InvariantCulture)}\"", 1, (_, v) => v + 1);

    public void Error(string code) => _errors.AddOrUpdate($"code=\"{code}\"", 1, (_, v) => v + 1);

    /// <summary>A judged manifest read: <c>signed</c>, <c>unchecked</c> (the policy needs no signature), <c>writer</c> (read by a user who may push there), <c>warned</c> or <c>denied</c>.</summary>
    public void ManifestAccess(string outcome) => _manifestAccess.AddOrUpdate($"outcome=\"{outcome}\"", 1, (_, v) => v + 1);

    public void AddBytesSent(long count) => Interlocked.Add(ref _bytesSent, count);

    public void AddBytesReceived(long count) => Interlocked.Add(ref _bytesReceived, count);

    public void UploadCompleted() => Interlocked.Increment(ref _uploads);

    public long Uploads => Interlocked.Read(ref _uploads);

    /// <summary>The exposition text (https://prometheus.io/docs/instrumenting/exposition_formats/).</summary>
    public string Render()
    {
        var text = new StringBuilder();
        Labeled(text, "u7s_registry_requests_total", "HTTP requests answered, by method and status.", _requests);
        Counter(text, "u7s_registry_bytes_sent_total", "Blob and manifest bytes sent.", Interlocked.Read(ref _bytesSent));
        Counter(text, "u7s_registry_bytes_received_total", "Upload bytes received.", Interlocked.Read(ref _bytesReceived));
        Counter(text, "u7s_registry_uploads_total", "Blob uploads completed.", Uploads);
        Labeled(text, "u7s_registry_errors_total", "Error responses, by OCI error code.", _errors);
        Labeled(text, "u7s_registry_enforce_total", "Manifest reads judged by signature enforcement, by outcome.", _manifestAccess);
        return text.ToString();
    }

    private static void Counter(StringBuilder text, string name, string help, long value) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n");

    private static void Labeled(StringBuilder text, string name, string help, ConcurrentDictionary<string, long> values)
    {
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} counter\n");
        foreach (var (labels, value) in values.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}{{{labels}}} {value}\n");
        }
    }
}
