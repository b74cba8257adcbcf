using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using U7s.Registry.Status;

namespace U7s.Registry.Http;

/// <summary>
/// The signature status page on the registry port: <c>/ui/</c> (HTML, <see cref="StatusPage"/>) and
/// <c>/ui/status.json</c> (the same data), filtered by <c>?repository=</c> and <c>?signer=</c>. Reads
/// follow the pull rules (<see cref="AuthMiddleware"/>).
/// </summary>
internal static class StatusEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        // Matches /ui as well: routing ignores a trailing slash.
        app.MapGet("/ui/", PageAsync);
        app.MapGet("/ui/status.json", JsonAsync);
    }

    private static async Task PageAsync(HttpContext context, StatusCollector collector)
    {
        var status = await collector.CollectAsync(FilterOf(context.Request), context.RequestAborted);
        var html = new StringBuilder(4096 + (status.Images.Count * 600));
        using (var writer = new StringWriter(html))
        {
            StatusPage.Write(writer, status);
        }

        var response = context.Response;
        response.ContentType = "text/html; charset=utf-8";

        // Nothing on the page runs or loads: no script at all, styles inline, forms only to this page.
        response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.CacheControl = "no-store";
        await WriteAsync(context, Encoding.UTF8.GetBytes(html.ToString()));
    }

    private static async Task JsonAsync(HttpContext context, StatusCollector collector)
    {
        var status = await collector.CollectAsync(FilterOf(context.Request), context.RequestAborted);
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await WriteAsync(context, JsonSerializer.SerializeToUtf8Bytes(status, StatusJsonContext.Default.RegistryStatus));
    }

    private static StatusFilter FilterOf(HttpRequest request)
    {
        static string? Value(HttpRequest request, string name) =>
            request.Query.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.ToString().Trim() : null;
        return new StatusFilter(Value(request, "repository"), Value(request, "signer"));
    }

    private static async Task WriteAsync(HttpContext context, byte[] body)
    {
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}
