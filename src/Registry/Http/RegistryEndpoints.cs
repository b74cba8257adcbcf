using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using U7s.Oci;
using U7s.Registry.Access;
using U7s.Registry.Blobs;
using U7s.Registry.Manifests;

namespace U7s.Registry.Http;

/// <summary>
/// All routes of the registry port in one place: one catch-all route per method under <c>/v2/</c>,
/// parsed by <see cref="OciPath"/>, plus the health checks (<see cref="HealthEndpoints"/>) and <c>/metrics</c>.
/// </summary>
internal static class RegistryEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        HealthEndpoints.Map(app);
        app.MapGet("/metrics", (RegistryMetrics metrics) => TypedResults.Text(metrics.Render(), "text/plain; version=0.0.4"));
        app.MapMethods("/v2/{**path}", [HttpMethods.Get, HttpMethods.Head], ReadAsync);
        app.MapPut("/v2/{**path}", PutAsync);
        app.MapPost("/v2/{**path}", PostAsync);
        app.MapPatch("/v2/{**path}", PatchAsync);
        app.MapDelete("/v2/{**path}", DeleteAsync);
        StatusEndpoints.Map(app);
        app.MapFallback(NotFound);
    }

    private static Task ReadAsync(HttpContext context, string? path, ManifestService manifests, BlobService blobs, ManifestAccessGate gate)
    {
        var p = OciPath.Parse(path);
        return p.Route switch
        {
            OciRoute.Base => ReadHandlers.BaseAsync(context),
            OciRoute.Catalog => ReadHandlers.CatalogAsync(context, manifests),
            OciRoute.Tags => ReadHandlers.TagsAsync(context, p.Name, manifests),
            OciRoute.Manifest => ReadHandlers.ManifestAsync(context, p.Name, p.Reference!, manifests, gate),
            OciRoute.Blob => ReadHandlers.BlobAsync(context, p.Name, ParseDigest(p.Reference), blobs),
            OciRoute.Referrers => ReadHandlers.ReferrersAsync(context, p.Name, ParseDigest(p.Reference), manifests),
            OciRoute.Upload => UploadHandlers.StatusAsync(context, p.Name, p.Reference!, blobs),
            _ => NotFound(context),
        };
    }

    private static Task PutAsync(HttpContext context, string? path, ManifestService manifests, BlobService blobs, RegistryOptions options)
    {
        var p = OciPath.Parse(path);
        return p.Route switch
        {
            OciRoute.Manifest => WriteHandlers.PutManifestAsync(context, p.Name, p.Reference!, manifests, options),
            OciRoute.Upload => UploadHandlers.CompleteAsync(context, p.Name, p.Reference!, blobs),
            _ => Unsupported(context),
        };
    }

    private static Task PostAsync(HttpContext context, string? path, BlobService blobs)
    {
        var p = OciPath.Parse(path);
        return p.Route == OciRoute.UploadStart ? UploadHandlers.StartAsync(context, p.Name, blobs) : Unsupported(context);
    }

    private static Task PatchAsync(HttpContext context, string? path, BlobService blobs)
    {
        var p = OciPath.Parse(path);
        return p.Route == OciRoute.Upload ? UploadHandlers.AppendAsync(context, p.Name, p.Reference!, blobs) : Unsupported(context);
    }

    private static Task DeleteAsync(HttpContext context, string? path, ManifestService manifests, BlobService blobs, RegistryOptions options)
    {
        var p = OciPath.Parse(path);
        if (!options.DeleteEnabled && p.Route is OciRoute.Manifest or OciRoute.Blob)
        {
            return OciErrorWriter.WriteAsync(context, OciErrorCode.Unsupported, "deletes are disabled on this registry");
        }

        return p.Route switch
        {
            OciRoute.Manifest => WriteHandlers.DeleteManifestAsync(context, p.Name, p.Reference!, manifests),
            OciRoute.Blob => WriteHandlers.DeleteBlobAsync(context, p.Name, ParseDigest(p.Reference), blobs),
            OciRoute.Upload => UploadHandlers.CancelAsync(context, p.Name, p.Reference!, blobs),
            _ => Unsupported(context),
        };
    }

    internal static Digest ParseDigest(string? text) =>
        Digest.TryParse(text, out var digest) ? digest : throw new OciException(OciErrorCode.DigestInvalid, $"'{text}' is not a valid digest");

    private static Task NotFound(HttpContext context) =>
        OciErrorWriter.WriteAsync(context, StatusCodes.Status404NotFound, OciErrorCodes.Name(OciErrorCode.NameUnknown), "no such endpoint", context.Request.Path);

    private static Task Unsupported(HttpContext context) =>
        OciErrorWriter.WriteAsync(context, OciErrorCode.Unsupported, $"{context.Request.Method} is not supported here");
}
