using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace U7s.Loader.Preflight;

/// <summary>
/// SPEC §1.5 row 1: the registry and signature-store names must resolve (hosts line) to an address
/// of this host, or the loader would push to, and sign for, some other machine.
/// </summary>
internal static class HostCheck
{
    public const string RegistryHost = "registry.local";
    public const string SigstoreHost = "sigstore.local";

    /// <summary>Null when <paramref name="host"/> resolves to a local address, else the problem in one line.</summary>
    public static async Task<string?> ProblemOrNullAsync(string host, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
        }
        catch (SocketException)
        {
            return $"{host} does not resolve; add the hosts line for the registry IP (u7s create-policy)";
        }

        var local = LocalAddresses();
        if (addresses.Any(a => IPAddress.IsLoopback(a) || local.Contains(a)))
        {
            return null;
        }

        return $"{host} resolves to {string.Join(", ", addresses.Select(a => a.ToString()))}, which is not an address of this host";
    }

    private static HashSet<IPAddress> LocalAddresses()
    {
        var set = new HashSet<IPAddress>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                set.Add(unicast.Address);
            }
        }

        return set;
    }
}
