using System.Net;
using System.Net.Sockets;

namespace U7s.Testing;

/// <summary>A free TCP port on 127.0.0.1 for programs that cannot bind port 0 and report it (docker-registry).</summary>
public static class FreeTcpPort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
