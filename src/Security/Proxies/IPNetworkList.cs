using System.Net;
using System.Net.Sockets;

namespace U7s.Security.Proxies;

/// <summary>
/// Networks in CIDR notation (<c>10.0.0.0/24</c>, <c>2001:db8::/64</c>); a bare address stands for itself
/// (<c>/32</c>, <c>/128</c>). Host bits past the prefix are refused (<c>10.0.0.5/24</c>): such an entry
/// usually means the writer meant one address and would trust 255 others.
/// </summary>
public sealed class IPNetworkList
{
    private readonly IReadOnlyList<IPNetwork> _networks;

    private IPNetworkList(IReadOnlyList<IPNetwork> networks) => _networks = networks;

    public static IPNetworkList Empty { get; } = new([]);

    public int Count => _networks.Count;

    /// <summary>Parses every entry; false with the first one that is not an address or a network.</summary>
    public static bool TryParse(IEnumerable<string> entries, out IPNetworkList list, out string? invalid)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var networks = new List<IPNetwork>();
        foreach (var entry in entries)
        {
            var text = entry?.Trim() ?? string.Empty;
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && IPNetwork.TryParse(text, out var network) && IsPlainAddress(text[..slash], out var written) && written.Equals(network.BaseAddress))
            {
                networks.Add(network);
            }
            else if (IsPlainAddress(text, out var address))
            {
                networks.Add(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                list = Empty;
                invalid = entry;
                return false;
            }
        }

        list = new IPNetworkList(networks);
        invalid = null;
        return true;
    }

    /// <summary>Whether the address is in one of the networks; an IPv4 client seen on a dual-stack socket (<c>::ffff:10.0.0.1</c>) counts as IPv4.</summary>
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var network in _networks)
        {
            if (network.Contains(plain))
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => string.Join(", ", _networks);

    // IPAddress.TryParse also takes "10.1", "010.0.0.1" or "167772161" for 10.0.0.1; only the dotted quad is
    // accepted for IPv4, and no zone (fe80::1%eth0) for IPv6, so an entry means what it looks like.
    private static bool IsPlainAddress(string text, out IPAddress address) =>
        IPAddress.TryParse(text, out address!)
        && (address.AddressFamily == AddressFamily.InterNetwork ? address.ToString() == text : !text.Contains('%', StringComparison.Ordinal));
}
