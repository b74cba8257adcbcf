using System.Net;
using Microsoft.AspNetCore.Http;

namespace U7s.Registry.Http;

/// <summary>
/// Whether a connection was made by a process on this host. The kernel answers it, never a header: the connection
/// came in on loopback, or its source address is the very local address it arrived on (a process here connecting
/// to one of this host's own addresses, as <c>registry.local</c> resolves on the registry node). Linux drops a packet
/// from another machine that claims one of this host's addresses as its source (a martian unless
/// <c>accept_local</c> is set), and the answer to a spoofed handshake would go to this host, not the spoofer.
/// Callers MUST NOT ask this of connections that came through a proxy: their addresses are the proxy's.
/// </summary>
internal static class ThisHost
{
    public static bool IsClient(ConnectionInfo connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.RemoteIpAddress is not { } remote)
        {
            return false;
        }

        remote = remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
        if (IPAddress.IsLoopback(remote))
        {
            return true;
        }

        var local = connection.LocalIpAddress is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : connection.LocalIpAddress;
        return local is not null && remote.Equals(local);
    }
}
