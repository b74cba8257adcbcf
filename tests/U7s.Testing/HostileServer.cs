using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace U7s.Testing;

/// <summary>
/// A real Kestrel server on 127.0.0.1 and a free port that answers the way a hostile registry, lookaside or status
/// page might: endless chunked bodies, redirects to <c>file:</c> URLs or other hosts. It counts the body bytes it
/// managed to send, an upper bound of what a client read, so a test can show that a client stopped reading
/// without measuring memory; and it records the <c>Authorization</c> header of every request it saw.
/// </summary>
public sealed class HostileServer : IAsyncDisposable
{
    private const int WriteBytes = 64 * 1024;

    private readonly WebApplication _app;
    private long _sent;

    private HostileServer(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Bytes the server's sockets took so far (response heads and bodies of every request): what clients could have read, plus what the kernel buffers.</summary>
    public long BytesSent => Interlocked.Read(ref _sent);

    /// <summary>Each request's path and <c>Authorization</c> header (null when it had none), in arrival order.</summary>
    public ConcurrentQueue<(string Path, string? Authorization)> Requests { get; } = new();

    /// <summary>Starts the server; <paramref name="map"/> adds its behaviours with <see cref="Map"/> (see <see cref="Endless"/> and <see cref="Redirect"/>).</summary>
    public static async Task<HostileServer> StartAsync(Action<HostileServer> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        HostileServer? server = null;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Use(next => connection =>
        {
            // Counted where the socket takes the bytes: Kestrel drops what an app writes after the client left
            // without telling it at once, so bytes the app wrote are no measure of what a client read.
            connection.Transport = new CountingTransport(connection.Transport, n => Interlocked.Add(ref server!._sent, n));
            return next(connection);
        })));
        var app = builder.Build();
        server = new HostileServer(app);
        app.Use(async (context, next) =>
        {
            server.Requests.Enqueue((context.Request.Path + context.Request.QueryString, context.Request.Headers.Authorization.Count == 0 ? null : context.Request.Headers.Authorization.ToString()));
            await next(context);
        });
        map(server);
        await app.StartAsync();
        server.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First().TrimEnd('/') + "/");
        return server;
    }

    /// <summary>Answers requests for <paramref name="path"/> (a route pattern) with <paramref name="behaviour"/>; before start only.</summary>
    public void Map(string path, RequestDelegate behaviour) => _app.Map(path, behaviour);

    /// <summary>
    /// An endless chunked body with <paramref name="status"/>: <paramref name="prefix"/>, then <paramref name="repeat"/> over
    /// and over until the client stops reading or <paramref name="capBytes"/> are sent (so a client that reads everything still ends).
    /// </summary>
    public RequestDelegate Endless(string contentType, string prefix, string repeat, long capBytes, int status = StatusCodes.Status200OK) => async context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        var unit = Encoding.UTF8.GetBytes(repeat);
        var block = new byte[WriteBytes / unit.Length * unit.Length];
        for (var i = 0; i < block.Length; i += unit.Length)
        {
            unit.CopyTo(block, i);
        }

        try
        {
            // Each write waits until the connection took the previous ones (Kestrel's back-pressure); once the client
            // is gone the writer reports it completed, and what was counted is what the client could have read.
            await context.Response.BodyWriter.WriteAsync(Encoding.UTF8.GetBytes(prefix), context.RequestAborted);
            for (long sent = prefix.Length; sent < capBytes && !context.RequestAborted.IsCancellationRequested; sent += block.Length)
            {
                await context.Response.BodyWriter.WriteAsync(block, context.RequestAborted);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The client went away: what it read is counted.
        }
    };

    /// <summary>A 302 to <paramref name="location"/>, taken as written (absolute, relative, or another scheme).</summary>
    public static RequestDelegate Redirect(string location) => context =>
    {
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = location;
        return Task.CompletedTask;
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>A connection's pipes, with every byte its output hands on counted once the flush that sends it succeeded.</summary>
    private sealed class CountingTransport(IDuplexPipe inner, Action<long> count) : IDuplexPipe
    {
        public PipeReader Input { get; } = inner.Input;

        public PipeWriter Output { get; } = new CountingWriter(inner.Output, count);
    }

    private sealed class CountingWriter(PipeWriter inner, Action<long> count) : PipeWriter
    {
        private long _pending;
        private bool _closed;

        public override void Advance(int bytes)
        {
            _pending += bytes;
            inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            var result = await inner.FlushAsync(cancellationToken);
            _closed |= result.IsCompleted;
            if (!_closed)
            {
                count(_pending);
            }

            _pending = 0;
            return result;
        }
    }
}
