using System.Text.RegularExpressions;

namespace U7s.Cli.Wiring;

/// <summary>
/// The mirror entries of a containers-registries.conf(5) file (version 2), as <c>save-oci --registries-conf</c> reads
/// them: each <c>[[registry]]</c> with its <c>prefix</c> (default: its <c>location</c>), <c>location</c>, <c>insecure</c>
/// and <c>blocked</c>, and its <c>[[registry.mirror]]</c> tables (<c>location</c>, <c>insecure</c>,
/// <c>mirror-by-digest-only</c>). The first mirror that serves tags is used, else the location; nothing falls back to
/// another source when the one chosen fails. Other settings (search registries, aliases, credential helpers) are skipped;
/// wildcard prefixes (<c>*.example.com</c>) are refused, as is a file over 1 MiB.
/// </summary>
internal static partial class RegistriesConf
{
    private const int MaxBytes = 1 << 20;

    /// <exception cref="UserException">The file is missing, too large, or a registry entry is malformed.</exception>
    public static IReadOnlyList<RegistryRewrite> Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new UserException($"registries.conf {path} does not exist", ExitCodes.Usage);
        }

        if (info.Length > MaxBytes)
        {
            throw new UserException($"registries.conf {path} is larger than {MaxBytes} bytes", ExitCodes.Usage);
        }

        return Parse(File.ReadAllText(path), path);
    }

    internal static IReadOnlyList<RegistryRewrite> Parse(string text, string name)
    {
        var registries = new List<(Dictionary<string, string> Settings, List<Dictionary<string, string>> Mirrors)>();
        Dictionary<string, string>? current = null;
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = StripComment(raw).Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('['))
            {
                current = line switch
                {
                    "[[registry]]" => Add(registries, (new Dictionary<string, string>(), new List<Dictionary<string, string>>())).Item1,
                    "[[registry.mirror]]" when registries.Count > 0 => Add(registries[^1].Mirrors, new Dictionary<string, string>()),
                    "[[registry.mirror]]" => throw Bad(name, lineNumber, "[[registry.mirror]] before any [[registry]]"),
                    _ => null,
                };
                continue;
            }

            if (current is null)
            {
                continue;
            }

            var match = KeyValue().Match(line);
            if (!match.Success)
            {
                throw Bad(name, lineNumber, "expected key = \"value\", true or false");
            }

            current[match.Groups["key"].Value] = match.Groups["string"].Success ? match.Groups["string"].Value : match.Groups["bool"].Value;
        }

        return [.. registries.Select(r => Rewrite(r, name))];
    }

    private static RegistryRewrite Rewrite((Dictionary<string, string> Settings, List<Dictionary<string, string>> Mirrors) registry, string name)
    {
        var location = registry.Settings.GetValueOrDefault("location", string.Empty);
        var prefix = registry.Settings.GetValueOrDefault("prefix", location);
        if (prefix.Length == 0)
        {
            throw new UserException($"{name}: a [[registry]] needs a prefix or a location", ExitCodes.Usage);
        }

        if (prefix.StartsWith('*'))
        {
            throw new UserException($"{name}: wildcard prefix '{prefix}' is not supported; name the registry", ExitCodes.Usage);
        }

        var blocked = registry.Settings.GetValueOrDefault("blocked") == "true";
        foreach (var mirror in registry.Mirrors)
        {
            if (mirror.GetValueOrDefault("mirror-by-digest-only") != "true" && mirror.GetValueOrDefault("location") is { Length: > 0 } mirrorLocation)
            {
                return new RegistryRewrite(prefix, mirrorLocation, mirror.GetValueOrDefault("insecure") == "true", blocked);
            }
        }

        return new RegistryRewrite(prefix, location.Length > 0 ? location : prefix, registry.Settings.GetValueOrDefault("insecure") == "true", blocked);
    }

    private static T Add<T>(List<T> list, T item)
    {
        list.Add(item);
        return item;
    }

    /// <summary>Drops a <c>#</c> comment that is not inside a quoted string.</summary>
    private static string StripComment(string line)
    {
        var quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote == '\0' && c == '#')
            {
                return line[..i];
            }

            if (c is '"' or '\'')
            {
                quote = quote == '\0' ? c : quote == c ? '\0' : quote;
            }
        }

        return line;
    }

    private static UserException Bad(string name, int line, string what) => new($"{name}:{line}: {what}", ExitCodes.Usage);

    [GeneratedRegex("""^(?<key>[A-Za-z0-9_-]+)\s*=\s*(?:"(?<string>[^"\\]*)"|'(?<string>[^']*)'|(?<bool>true|false))$""")]
    private static partial Regex KeyValue();
}
