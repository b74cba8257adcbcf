using System.Globalization;

namespace U7s.Registry.Http;

/// <summary>
/// A single <c>Range: bytes=…</c> request (RFC 9110 §14.1.2). Multi-range or malformed headers are
/// ignored (the whole blob is sent), which the RFC allows.
/// </summary>
internal readonly record struct ByteRange(long From, long To, bool Satisfiable)
{
    public static ByteRange? Parse(string? header, long length)
    {
        if (string.IsNullOrWhiteSpace(header) || !header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var spec = header[6..].Trim();
        if (spec.Contains(',', StringComparison.Ordinal))
        {
            return null;
        }

        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return null;
        }

        var first = spec[..dash].Trim();
        var last = spec[(dash + 1)..].Trim();
        if (first.Length == 0)
        {
            // Suffix range: the last N bytes.
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var suffix))
            {
                return null;
            }

            return suffix == 0 || length == 0
                ? new ByteRange(0, 0, false)
                : new ByteRange(Math.Max(0, length - suffix), length - 1, true);
        }

        if (!long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var from))
        {
            return null;
        }

        long to = length - 1;
        if (last.Length > 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out to) || to < from)
            {
                return null;
            }

            to = Math.Min(to, length - 1);
        }

        return from >= length ? new ByteRange(from, from, false) : new ByteRange(from, to, true);
    }
}
