using System.Text.RegularExpressions;

namespace U7s.Cluster.Node;

/// <summary>
/// Minimal line-level edits of TOML files owned by packages or admins (containers.conf,
/// registries.conf): set one key of one table, keeping every other line and comment as it was.
/// </summary>
public static partial class TomlTables
{
    /// <summary>
    /// Sets <c>key = "value"</c> inside <c>[table]</c>: replaces an existing assignment, else inserts
    /// it right after the table header, else appends the table. Returns the new text.
    /// </summary>
    public static string SetString(string? existing, string table, string key, string value)
    {
        ArgumentNullException.ThrowIfNull(table);
        var assignment = $"{key} = \"{value}\"";
        var lines = (existing ?? string.Empty).Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        var header = lines.FindIndex(l => HeaderName(l) == table);
        if (header < 0)
        {
            if (lines.Count > 0 && lines[^1].Trim().Length > 0)
            {
                lines.Add(string.Empty);
            }

            lines.Add($"[{table}]");
            lines.Add(assignment);
            return string.Join('\n', lines) + "\n";
        }

        var keyPattern = new Regex($"^\\s*{Regex.Escape(key)}\\s*=", RegexOptions.CultureInvariant);
        for (var i = header + 1; i < lines.Count && HeaderName(lines[i]) is null; i++)
        {
            if (keyPattern.IsMatch(lines[i]))
            {
                lines[i] = assignment;
                return string.Join('\n', lines) + "\n";
            }
        }

        lines.Insert(header + 1, assignment);
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>The string value of <c>key</c> in <c>[table]</c>, or null (basic or literal string on one line).</summary>
    public static string? GetString(string? text, string table, string key)
    {
        string? current = null;
        string? value = null;
        var keyPattern = new Regex($"^\\s*{Regex.Escape(key)}\\s*=\\s*(\"(?<v>[^\"]*)\"|'(?<v>[^']*)')\\s*(#.*)?$", RegexOptions.CultureInvariant);
        foreach (var line in (text ?? string.Empty).Split('\n'))
        {
            if (HeaderName(line) is { } header)
            {
                current = header;
                continue;
            }

            if (current == table && keyPattern.Match(line) is { Success: true } match)
            {
                value = match.Groups["v"].Value;
            }
        }

        return value;
    }

    /// <summary>The name of a <c>[table]</c> header line, or null (array tables <c>[[x]]</c> count as headers named <c>[x]</c>).</summary>
    public static string? HeaderName(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var match = Header().Match(line);
        return match.Success ? match.Groups["name"].Value.Trim() : null;
    }

    [GeneratedRegex(@"^\s*\[(?<name>\[?[^\]]+\]?)\]\s*(#.*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Header();
}
