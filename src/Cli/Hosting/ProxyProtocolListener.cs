using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace U7s.Cli.Hosting;

/// <summary>
/// Kestrel connection middleware for <c>Registry:ProxyProtocol</c>: every connection MUST start with a
/// PROXY header (<see cref="ProxyHeader"/>), read within the given timeout; its client address
/// replaces the socket's (so logs, the audit trail and the login throttle see the real client), and a
/// connection without one is closed before any HTTP is read. Runs before TLS, as the header does.
/// </summary>
internal static class ProxyProtocolListener
{
    public static Action<ListenOptions> Require(TimeSpan timeout) => listen => listen.Use(next => async connection =>
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
                return;
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

                break;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (status == ProxyHeader.Status.Invalid || read.IsCompleted)
            {
                connection.Abort(new ConnectionAbortedException("the connection does not start with a PROXY protocol header"));
                return;
            }
        }

        await next(connection);
    });
}
