using System.Net;
using System.Net.NetworkInformation;

namespace U7s.Cluster.Node;

/// <summary>Tells whether an address is configured on one of this host's interfaces.</summary>
public static class LocalAddresses
{
    public static bool Contains(string address)
    {
        if (!IPAddress.TryParse(address, out var wanted))
        {
            return false;
        }

        return NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Any(a => a.Address.Equals(wanted));
    }
}
