using System.Globalization;

namespace U7s.Loader.Loading;

/// <summary>Byte counts as people write them: <c>64G</c>, <c>512MiB</c>, <c>1048576</c> in, <c>340.2 MiB</c> out.</summary>
internal static class ByteSize
{
    private static readonly (string Suffix, long Factor)[] Units =
        [("TiB", 1L << 40), ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10), ("T", 1L << 40), ("G", 1L << 30), ("M", 1L << 20), ("K", 1L << 10)];

    /// <summary>Parses a positive size with an optional binary unit; null when invalid.</summary>
    public static long? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = text.Trim();
        var multiplier = 1L;
        foreach (var (suffix, factor) in Units)
        {
            if (value.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                multiplier = factor;
                value = value[..^suffix.Length];
                break;
            }
        }

        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            && number > 0 && number <= long.MaxValue / multiplier
            ? number * multiplier
            : null;
    }

    /// <summary>One decimal in the largest binary unit that keeps the number at least 1 (<c>812 B</c>, <c>1.5 KiB</c>, <c>4.0 GiB</c>).</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 40 => Scaled(bytes, 1L << 40, "TiB"),
        >= 1L << 30 => Scaled(bytes, 1L << 30, "GiB"),
        >= 1L << 20 => Scaled(bytes, 1L << 20, "MiB"),
        >= 1L << 10 => Scaled(bytes, 1L << 10, "KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };

    private static string Scaled(long bytes, long unit, string name) =>
        string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)unit:F1} {name}");
}
