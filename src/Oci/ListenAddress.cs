using System.Globalization;
using System.Net;

namespace U7s.Oci;

/// <summary>A server listen address <c>host:port</c>: IPv4, <c>[IPv6]</c> or <c>localhost</c>; port 0 picks a free port.</summary>
public static class ListenAddress
{
    public static bool TryParse(string? value, out IPEndPoint endpoint)
    {
        endpoint = new IPEndPoint(IPAddress.Any, 0);
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            return false;
        }

        var host = value[..colon];
        if (host == "localhost")
        {
            endpoint = new IPEndPoint(IPAddress.Loopback, port);
            return true;
        }

        if (host.StartsWith('[') != host.EndsWith(']') || !IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            return false;
        }

        endpoint = new IPEndPoint(address, port);
        return true;
    }
}
