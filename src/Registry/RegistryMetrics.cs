using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using U7s.Oci;

namespace U7s.Registry;

/// <summary>
/// Process-wide counters exposed on <c>/metrics</c> in the Prometheus text format. Plain interlocked
/// counters: the hot paths pay one atomic add, and no metrics library is needed.
/// <para>
/// Every label takes its value from a fixed set chosen here, never from the request: a method token
/// nobody defined is <c>method="other"</c>, an unusual status is counted by its class (<c>"4xx"</c>), an
/// unknown error code or outcome is <c>"other"</c>. Counters live in arrays sized once, so no request can
/// add a series, and the page stays the same size however many clients invent names.
/// </para>
/// </summary>
public sealed class RegistryMetrics
{
    /// <summary>The method label's values; anything else counts as the last one.</summary>
    internal static readonly string[] Methods = ["GET", "HEAD", "PUT", "POST", "PATCH", "DELETE", "OPTIONS", "other"];

    /// <summary>Statuses counted by their own code: those the registry and Kestrel answer with; others by class.</summary>
    private static readonly int[] KnownStatuses =
        [200, 201, 202, 204, 206, 301, 302, 304, 307, 308, 400, 401, 403, 404, 405, 408, 409, 411, 412, 413, 414, 415, 416, 429, 431, 500, 501, 502, 503, 504, 505, 507];

    /// <summary>The status label's values: each known code, then <c>1xx</c> … <c>5xx</c>, then <c>other</c> (outside 100–599).</summary>
    internal static readonly string[] Statuses =
        [.. KnownStatuses.Select(s => s.ToString(CultureInfo.InvariantCulture)), "1xx", "2xx", "3xx", "4xx", "5xx", "other"];

    /// <summary>The error code label's values: the wire names of <see cref="OciErrorCode"/>, <c>UNKNOWN</c> (a 500), and <c>other</c>.</summary>
    internal static readonly string[] ErrorCodes =
        [.. Enum.GetValues<OciErrorCode>().Select(OciErrorCodes.Name).Append("UNKNOWN").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal), "other"];

    /// <summary>The outcome label's values (see <see cref="ManifestAccess"/>), and <c>other</c>.</summary>
    internal static readonly string[] Outcomes = ["denied", "signed", "unchecked", "warned", "writer", "other"];

    private static readonly FrozenDictionary<string, int> MethodIndex = IndexOf(Methods);
    private static readonly FrozenDictionary<int, int> StatusIndex = KnownStatuses.Select((s, i) => (s, i)).ToFrozenDictionary(p => p.s, p => p.i);
    private static readonly FrozenDictionary<string, int> ErrorIndex = IndexOf(ErrorCodes);
    private static readonly FrozenDictionary<string, int> OutcomeIndex = IndexOf(Outcomes);

    private readonly long[] _requests = new long[Methods.Length * Statuses.Length];
    private readonly long[] _errors = new long[ErrorCodes.Length];
    private readonly long[] _manifestAccess = new long[Outcomes.Length];
    private long _bytesSent;
    private long _bytesReceived;
    private long _uploads;

    public void RequestCompleted(string method, int status) =>
        Interlocked.Increment(ref _requests[(MethodLabel(method) * Statuses.Length) + StatusLabel(status)]);

    public void Error(string code) => Interlocked.Increment(ref _errors[Label(ErrorIndex, code)]);

    /// <summary>A judged manifest read: <c>signed</c>, <c>unchecked</c> (the policy needs no signature), <c>writer</c> (read by a user who may push there), <c>warned</c> or <c>denied</c>.</summary>
    public void ManifestAccess(string outcome) => Interlocked.Increment(ref _manifestAccess[Label(OutcomeIndex, outcome)]);

    public void AddBytesSent(long count) => Interlocked.Add(ref _bytesSent, count);

    public void AddBytesReceived(long count) => Interlocked.Add(ref _bytesReceived, count);

    public void UploadCompleted() => Interlocked.Increment(ref _uploads);

    public long Uploads => Interlocked.Read(ref _uploads);

    /// <summary>The exposition text (https://prometheus.io/docs/instrumenting/exposition_formats/); series that are still zero are left out.</summary>
    public string Render()
    {
        var text = new StringBuilder();
        Header(text, "u7s_registry_requests_total", "HTTP requests answered, by method and status.");
        for (var m = 0; m < Methods.Length; m++)
        {
            for (var s = 0; s < Statuses.Length; s++)
            {
                if (Interlocked.Read(ref _requests[(m * Statuses.Length) + s]) is var value and not 0)
                {
                    text.Append(CultureInfo.InvariantCulture, $"u7s_registry_requests_total{{method=\"{Methods[m]}\",status=\"{Statuses[s]}\"}} {value}\n");
                }
            }
        }

        Counter(text, "u7s_registry_bytes_sent_total", "Blob and manifest bytes sent.", Interlocked.Read(ref _bytesSent));
        Counter(text, "u7s_registry_bytes_received_total", "Upload bytes received.", Interlocked.Read(ref _bytesReceived));
        Counter(text, "u7s_registry_uploads_total", "Blob uploads completed.", Uploads);
        Labeled(text, "u7s_registry_errors_total", "Error responses, by OCI error code.", "code", ErrorCodes, _errors);
        Labeled(text, "u7s_registry_enforce_total", "Manifest reads judged by signature enforcement, by outcome.", "outcome", Outcomes, _manifestAccess);
        return text.ToString();
    }

    /// <summary>The label a method token counts under: one of <see cref="Methods"/> (HTTP methods are case-sensitive).</summary>
    internal static int MethodLabel(string method) => Label(MethodIndex, method);

    internal static int StatusLabel(int status) =>
        StatusIndex.TryGetValue(status, out var known) ? known
        : status is >= 100 and <= 599 ? KnownStatuses.Length + (status / 100) - 1
        : Statuses.Length - 1;

    private static int Label(FrozenDictionary<string, int> index, string value) =>
        index.TryGetValue(value, out var i) ? i : index.Count - 1;

    private static FrozenDictionary<string, int> IndexOf(string[] values) =>
        values.Select((v, i) => (v, i)).ToFrozenDictionary(p => p.v, p => p.i, StringComparer.Ordinal);

    private static void Header(StringBuilder text, string name, string help) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} counter\n");

    private static void Counter(StringBuilder text, string name, string help, long value)
    {
        Header(text, name, help);
        text.Append(CultureInfo.InvariantCulture, $"{name} {value}\n");
    }

    private static void Labeled(StringBuilder text, string name, string help, string label, string[] values, long[] counts)
    {
        Header(text, name, help);
        for (var i = 0; i < values.Length; i++)
        {
            if (Interlocked.Read(ref counts[i]) is var value and not 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"{name}{{{label}=\"{values[i]}\"}} {value}\n");
            }
        }
    }
}
