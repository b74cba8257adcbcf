using System.Net;
using System.Net.Sockets;

namespace U7s.Cli.Tests.Support;

/// <summary>Asks the OS for a free port on 127.0.0.1 for servers that cannot report the port they bound.</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
