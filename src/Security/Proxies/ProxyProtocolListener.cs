using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using U7s.Oci;

namespace U7s.Security.Proxies;

/// <summary>
/// Kestrel connection middleware for <c>Server:ProxyProtocol</c>: only a trusted proxy may connect, and
/// every connection MUST start with a PROXY header (<see cref="ProxyHeader"/>), read within the given timeout;
/// its client address replaces the socket's (so logs, the audit trail and the login throttle see the real
/// client). A connection from any other address is closed before a byte of it is read, and one without a
/// header before any HTTP is. Runs before TLS, as the header does.
/// </summary>
public static partial class ProxyProtocolListener
{
    private static readonly TimeSpan WarnEvery = TimeSpan.FromMinutes(1);

    public static Action<ListenOptions> Require(TimeSpan timeout, IPNetworkList trusted) => listen =>
    {
        var logger = listen.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ProxyProtocolListener).FullName!);
        var refusals = new RefusalCounter();
        listen.Use(next => async connection =>
        {
            if (connection.RemoteEndPoint is not IPEndPoint peer || !trusted.Contains(peer.Address))
            {
                // Anyone could write a PROXY header naming any client: only the proxies' own connections carry one that counts.
                if (refusals.Add() is { } count)
                {
                    Log.UntrustedPeer(logger, connection.RemoteEndPoint?.ToString() ?? "?", count, trusted.ToString());
                }

                connection.Abort(new ConnectionAbortedException("not a trusted proxy (Server:TrustedProxies)"));
                return;
            }

            if (await ReadHeaderAsync(connection, timeout))
            {
                await next(connection);
            }
        });
    };

    private static async Task<bool> ReadHeaderAsync(ConnectionContext connection, TimeSpan timeout)
    {
        var input = connection.Transport.Input;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        deadline.CancelAfter(timeout);
        while (true)
        {
            System.IO.Pipelines.ReadResult read;
            try
            {
                read = await input.ReadAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                connection.Abort(new ConnectionAbortedException("no PROXY protocol header in time"));
                return false;
            }

            var buffer = read.Buffer;
            var status = ProxyHeader.TryParse(buffer, out var length, out var client);
            if (status == ProxyHeader.Status.Complete)
            {
                input.AdvanceTo(buffer.GetPosition(length));
                if (client is not null)
                {
                    connection.RemoteEndPoint = client;
                }

                return true;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (status == ProxyHeader.Status.Invalid || read.IsCompleted)
            {
                connection.Abort(new ConnectionAbortedException("the connection does not start with a PROXY protocol header"));
                return false;
            }
        }
    }

    /// <summary>Counts refused connections so that a flood of them is one warning a minute, not one line each.</summary>
    private sealed class RefusalCounter
    {
        private readonly Lock _lock = new();
        private long _count;
        private long _nextWarning;

        /// <summary>The refusals to report now (this one included), or null while the last warning is recent.</summary>
        public long? Add()
        {
            lock (_lock)
            {
                _count++;
                var now = Environment.TickCount64;
                if (now < _nextWarning)
                {
                    return null;
                }

                _nextWarning = now + (long)WarnEvery.TotalMilliseconds;
                var count = _count;
                _count = 0;
                return count;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Closed {Count} connection(s) not from a trusted proxy, the last from {Peer}; Server:TrustedProxies is {Trusted}")]
        public static partial void UntrustedPeer(ILogger logger, string peer, long count, string trusted);
    }
}
