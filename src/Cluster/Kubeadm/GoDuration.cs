using System.Globalization;
using System.Text.RegularExpressions;

namespace U7s.Cluster.Kubeadm;

/// <summary>Go's <c>time.ParseDuration</c> subset kubeadm uses for ttl values (<c>24h0m0s</c>, <c>2h</c>, <c>90m</c>).</summary>
public static partial class GoDuration
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (text is null || !Whole().IsMatch(text))
        {
            return false;
        }

        foreach (Match part in Part().Matches(text))
        {
            var value = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            duration += part.Groups[2].Value switch
            {
                "h" => TimeSpan.FromHours(value),
                "m" => TimeSpan.FromMinutes(value),
                "s" => TimeSpan.FromSeconds(value),
                "ms" => TimeSpan.FromMilliseconds(value),
                _ => TimeSpan.Zero,
            };
        }

        return true;
    }

    [GeneratedRegex(@"^([0-9]+(\.[0-9]+)?(h|ms|m|s))+$", RegexOptions.CultureInvariant)]
    private static partial Regex Whole();

    [GeneratedRegex(@"([0-9]+(?:\.[0-9]+)?)(h|ms|m|s)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();
}
