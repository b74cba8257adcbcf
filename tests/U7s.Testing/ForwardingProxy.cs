using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace U7s.Testing;

/// <summary>
/// A registry mirror that forwards every request to a real registry (a <see cref="HostileServer"/> on 127.0.0.1): it
/// records each request's method and path, so a test can count blob downloads, and it can turn hostile for chosen blob
/// downloads, flipping the body's last byte (<see cref="Corrupt"/>) or dropping the connection halfway through
/// (<see cref="Cut"/>, an interrupted download), or answer a manifest request with another manifest
/// (<see cref="Manifest"/>). Bodies are buffered: test blobs are small.
/// </summary>
public sealed class ForwardingProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopHeaders = new(StringComparer.OrdinalIgnoreCase) { "Transfer-Encoding", "Connection", "Keep-Alive" };

    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly Uri _upstream;
    private HostileServer? _server;

    private ForwardingProxy(Uri upstream) => _upstream = upstream;

    public Uri BaseAddress => _server!.BaseAddress;

    /// <summary>Each request's method and path with query, in arrival order.</summary>
    public ConcurrentQueue<(string Method, string Path)> Requests { get; } = new();

    /// <summary>Blob GETs whose path this matches get a body with its last byte flipped (same length, other digest).</summary>
    public Func<string, bool> Corrupt { get; set; } = _ => false;

    /// <summary>Manifest GETs are answered with what this returns for their path and body (the body itself to leave it).</summary>
    public Func<string, byte[], byte[]> Manifest { get; set; } = (_, body) => body;

    /// <summary>Blob GETs whose path this matches get half their body, then the connection is aborted.</summary>
    public Func<string, bool> Cut { get; set; } = _ => false;

    /// <summary>The digests of the blobs fetched with GET, one entry per request.</summary>
    public IEnumerable<string> BlobGets => Requests.Where(r => r.Method == "GET" && r.Path.Contains("/blobs/", StringComparison.Ordinal)).Select(r => r.Path[(r.Path.LastIndexOf('/') + 1)..]);

    public static async Task<ForwardingProxy> StartAsync(Uri upstream)
    {
        var proxy = new ForwardingProxy(upstream);
        proxy._server = await HostileServer.StartAsync(h => h.Map("/{**rest}", proxy.ForwardAsync));
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _http.Dispose();
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var path = context.Request.Path.Value + context.Request.QueryString.Value;
        Requests.Enqueue((context.Request.Method, path));
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(_upstream, path));
        foreach (var name in new[] { "Authorization", "Accept" })
        {
            if (context.Request.Headers.TryGetValue(name, out var values))
            {
                request.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values);
            }
        }

        if (context.Request.ContentLength > 0 || context.Request.Headers.ContainsKey("Transfer-Encoding"))
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            request.Content = new ByteArrayContent(buffer.ToArray());
        }

        using var response = await _http.SendAsync(request, context.RequestAborted);
        var body = await response.Content.ReadAsByteArrayAsync(context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopHeaders.Contains(name))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        if (context.Request.Method == "GET" && path.Contains("/manifests/", StringComparison.Ordinal) && response.IsSuccessStatusCode)
        {
            body = Manifest(path, body);
            context.Response.ContentLength = body.Length;
        }

        var blobGet = context.Request.Method == "GET" && path.Contains("/blobs/", StringComparison.Ordinal) && response.IsSuccessStatusCode && body.Length > 0;
        if (blobGet && Corrupt(path))
        {
            body[^1] ^= 1;
        }

        if (blobGet && Cut(path))
        {
            await context.Response.Body.WriteAsync(body.AsMemory(0, body.Length / 2), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            // Let the head and the first half reach the client before the connection drops.
            await Task.Delay(200, context.RequestAborted);
            context.Abort();
            return;
        }

        if (context.Request.Method != "HEAD")
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
    }
}
