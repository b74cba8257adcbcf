namespace U7s.Oci;

/// <summary>
/// "Did you mean": the known name closest to a mistyped one by edit distance (case-insensitive),
/// for unknown command-line flags and unknown settings. Null when nothing is close enough to be a
/// typo rather than a different word.
/// </summary>
public static class NearestName
{
    /// <summary>Names this long or longer are not compared: the input is the user's, the cost quadratic.</summary>
    private const int MaxLength = 100;

    public static string? Of(string typed, IEnumerable<string> known)
    {
        ArgumentNullException.ThrowIfNull(typed);
        ArgumentNullException.ThrowIfNull(known);
        if (typed.Length == 0 || typed.Length > MaxLength)
        {
            return null;
        }

        // One edit in four characters, at least one and at most three: "--forse" finds "--force", "--x" finds nothing.
        var allowed = Math.Clamp(typed.TrimStart('-').Length / 4, 1, 3);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var name in known)
        {
            if (name.Length > MaxLength)
            {
                continue;
            }

            var distance = Distance(typed, name);
            if (distance <= allowed && distance < bestDistance)
            {
                (best, bestDistance) = (name, distance);
            }
        }

        return best;
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours each cost one.</summary>
    internal static int Distance(string a, string b)
    {
        var width = b.Length + 1;
        var d = new int[(a.Length + 1) * width];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i * width] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = Same(a[i - 1], b[j - 1]) ? 0 : 1;
                var best = Math.Min(Math.Min(d[((i - 1) * width) + j] + 1, d[(i * width) + j - 1] + 1), d[((i - 1) * width) + j - 1] + cost);
                if (i > 1 && j > 1 && Same(a[i - 1], b[j - 2]) && Same(a[i - 2], b[j - 1]))
                {
                    best = Math.Min(best, d[((i - 2) * width) + j - 2] + 1);
                }

                d[(i * width) + j] = best;
            }
        }

        return d[(a.Length * width) + b.Length];
    }

    private static bool Same(char x, char y) => char.ToLowerInvariant(x) == char.ToLowerInvariant(y);
}
