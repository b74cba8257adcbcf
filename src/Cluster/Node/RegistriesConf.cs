using System.Text.RegularExpressions;

namespace U7s.Cluster.Node;

/// <summary>
/// <c>/etc/containers/registries.conf</c> of SPEC §3.4: one <c>[[registry]]</c> block with
/// <c>insecure = true</c> for the registry name, appended once. A file in the v1 format
/// (<c>[registries.insecure]</c> tables) is refused: the two formats must not be mixed.
/// </summary>
public static partial class RegistriesConf
{
    /// <summary>The new text, or <paramref name="existing"/> unchanged when a block for the registry exists.</summary>
    public static string Apply(string? existing, string registryName)
    {
        existing ??= string.Empty;
        if (V1Table().IsMatch(existing))
        {
            throw new ClusterException(
                "registries.conf uses the v1 [registries.*] tables; convert it to [[registry]] entries first (the formats cannot be mixed)", ClusterErrorKind.InvalidInput);
        }

        var location = new Regex($"^\\s*location\\s*=\\s*\"{Regex.Escape(registryName)}\"\\s*(#.*)?$", RegexOptions.Multiline | RegexOptions.CultureInvariant);
        if (location.IsMatch(existing))
        {
            return existing;
        }

        var separator = existing.Length == 0 ? string.Empty : existing.EndsWith('\n') ? "\n" : "\n\n";
        return $"{existing}{separator}[[registry]]\nlocation = \"{registryName}\"\ninsecure = true\n";
    }

    [GeneratedRegex(@"^\s*\[registries\.(insecure|search|block)\]", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex V1Table();
}
