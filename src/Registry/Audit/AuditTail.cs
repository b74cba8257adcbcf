using System.Text;
using System.Text.Json;
using U7s.Oci;

namespace U7s.Registry.Audit;

/// <summary>The last events of the JSON-lines audit log, read from its end only, however long the log has grown.</summary>
internal static class AuditTail
{
    private const int TailBytes = 256 * 1024;

    /// <summary>
    /// Up to <paramref name="count"/> of the newest events, newest first, without their remote
    /// addresses. Lines that do not parse (a line being appended, a damaged one) are skipped; a missing
    /// log has no events.
    /// </summary>
    public static async Task<IReadOnlyList<AuditEvent>> ReadRecentAsync(string path, int count, CancellationToken cancellationToken)
    {
        byte[] tail;
        bool cut;
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous);
            var start = Math.Max(0, stream.Length - TailBytes);
            cut = start > 0;
            stream.Seek(start, SeekOrigin.Begin);
            tail = new byte[stream.Length - start];
            tail = tail[..await stream.ReadAtLeastAsync(tail, tail.Length, throwOnEndOfStream: false, cancellationToken)];
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }

        var lines = Encoding.UTF8.GetString(tail).Split('\n');
        var events = new List<AuditEvent>(count);

        // The first line of a cut tail is a fragment.
        for (var i = lines.Length - 1; i >= (cut ? 1 : 0) && events.Count < count; i--)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            try
            {
                if (JsonSerializer.Deserialize(lines[i], AuditJsonContext.Default.AuditEvent) is { Action: not null, Repository: not null } e)
                {
                    events.Add(e with { Remote = null });
                }
            }
            catch (JsonException)
            {
                // Skipped: see the summary.
            }
        }

        return events;
    }
}
