using System.Globalization;

namespace U7s.Registry.Blobs;

/// <summary>The <c>Content-Range: &lt;start&gt;-&lt;end&gt;</c> of a chunk (inclusive; the spec's form, no unit).</summary>
internal readonly record struct ContentRange(long Start, long End)
{
    public long Length => End - Start + 1;

    public static bool TryParse(string? value, out ContentRange range)
    {
        range = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var text = value.Trim();
        if (text.StartsWith("bytes ", StringComparison.OrdinalIgnoreCase))
        {
            text = text[6..];
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            text = text[..slash];
        }

        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0
            || !long.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            || !long.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var end)
            || end < start)
        {
            return false;
        }

        range = new ContentRange(start, end);
        return true;
    }
}
