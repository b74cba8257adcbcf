using System.Globalization;
using System.Text.RegularExpressions;

namespace U7s.Cluster.Node;

/// <summary>
/// The registry IP of SPEC §3.1: dotted-quad IPv4, each octet 0-255 written without leading zeros
/// (podsec's octet check was a no-op; <c>IPAddress.Parse</c> would also take <c>10.1</c> or octal).
/// Loopback and unspecified addresses are refused: other nodes must reach the registry at it.
/// </summary>
public static partial class RegistryAddress
{
    /// <summary>Syntax only: four decimal octets 0-255 without leading zeros.</summary>
    public static bool IsIpv4(string text) =>
        text is not null && DottedQuad().IsMatch(text) && text.Split('.').All(o => int.Parse(o, NumberStyles.None, CultureInfo.InvariantCulture) <= 255);

    public static bool TryValidate(string text, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!DottedQuad().IsMatch(text))
        {
            problem = $"not an IPv4 address: {text}";
            return false;
        }

        var octets = text.Split('.').Select(o => int.Parse(o, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
        if (octets.Any(o => o > 255))
        {
            problem = $"not an IPv4 address (octet above 255): {text}";
            return false;
        }

        if (octets[0] == 127 || octets.All(o => o == 0) || octets.All(o => o == 255) || octets[0] >= 224)
        {
            problem = $"{text} cannot be the registry address: use an address other nodes reach (not loopback, broadcast or multicast)";
            return false;
        }

        problem = null;
        return true;
    }

    [GeneratedRegex(@"^(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}$", RegexOptions.CultureInvariant)]
    private static partial Regex DottedQuad();
}
