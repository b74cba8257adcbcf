using System.Net;
using System.Net.Sockets;
using System.Text;

namespace U7s.Testing;

/// <summary>
/// An <see cref="HttpClient"/> that opens each connection the way haproxy's <c>send-proxy</c> does: a
/// PROXY v1 line naming the given client address before the first HTTP byte. For servers with
/// <c>Server:ProxyProtocol</c> on, reached directly: from <c>sourceAddress</c> when given (any of
/// 127.0.0.0/8 is this host's), so a test can play a trusted proxy and an untrusted peer side by side.
/// </summary>
public static class ProxyProtocolClient
{
    public static HttpClient Create(Uri baseAddress, string clientAddress = "127.0.0.1", string? sourceAddress = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    if (sourceAddress is not null)
                    {
                        socket.Bind(new IPEndPoint(IPAddress.Parse(sourceAddress), 0));
                    }

                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    var family = clientAddress.Contains(':', StringComparison.Ordinal) ? "TCP6" : "TCP4";
                    var destination = family == "TCP6" ? "::1" : "127.0.0.1";
                    var header = Encoding.ASCII.GetBytes($"PROXY {family} {clientAddress} {destination} 40000 {context.DnsEndPoint.Port}\r\n");
                    await socket.SendAsync(header, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = baseAddress };
    }
}
