using System.Text.RegularExpressions;

namespace U7s.Cluster.Node;

/// <summary>
/// The registry name nodes pull from (<c>registry.local</c>): an RFC 1123 host name or a dotted-quad
/// IPv4 address, without a port. It goes into the hosts line (SPEC §3.1), policy scopes and
/// registries.conf, so a space or a colon there breaks every one of them; the port is given on its own.
/// </summary>
public static partial class RegistryHostName
{
    public static bool TryValidate(string? text, out string? problem)
    {
        problem = text switch
        {
            null or "" => "the registry name is empty",
            _ when text.Contains(':', StringComparison.Ordinal) =>
                $"--registry-name takes a host name without a port: give the port as --registry-port {text[(text.LastIndexOf(':') + 1)..]} (image references and policy scopes then read {text})",
            _ when AllNumeric().IsMatch(text) => RegistryAddress.IsIpv4(text) ? null : $"not a host name or an IPv4 address: {text}",
            _ when text.Length > 253 || !HostName().IsMatch(text) =>
                $"not a host name: '{text}' (letters, digits and hyphens in dot-separated labels of at most 63, RFC 1123)",
            _ => null,
        };
        return problem is null;
    }

    /// <summary>The host of a registry name as node files carry it (<c>registry.local:5000</c> → <c>registry.local</c>).</summary>
    public static string HostOf(string registryName)
    {
        ArgumentNullException.ThrowIfNull(registryName);
        return registryName.Split(':')[0];
    }

    [GeneratedRegex(@"^[0-9]+(\.[0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex AllNumeric();

    [GeneratedRegex(@"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex HostName();
}
