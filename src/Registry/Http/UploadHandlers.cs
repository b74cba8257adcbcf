using Microsoft.AspNetCore.Http;
using U7s.Oci;
using U7s.Registry.Blobs;
using U7s.Registry.Storage;

namespace U7s.Registry.Http;

/// <summary>Blob uploads: start (with mount or single-request digest), chunks, status, completion, cancel.</summary>
/// <remarks>
/// Once a request's bytes have arrived, its commit runs to the end and is audited without the request's
/// cancellation: a client that goes away then leaves no change half made and none unrecorded.
/// </remarks>
internal static class UploadHandlers
{
    public static async Task StartAsync(HttpContext context, RepositoryName name, BlobService blobs)
    {
        var query = context.Request.Query;
        var ct = context.RequestAborted;
        if (query.TryGetValue("mount", out var mountText))
        {
            var digest = RegistryEndpoints.ParseDigest(mountText);
            RepositoryName? from = null;
            if (query.TryGetValue("from", out var fromText) && !string.IsNullOrEmpty(fromText))
            {
                from = RepositoryName.TryParse(fromText, out var f) ? f : throw new OciException(OciErrorCode.NameInvalid, $"'{fromText}' is not a valid repository name");
            }

            if (await blobs.TryMountAsync(name, digest, from, CancellationToken.None) is { } source)
            {
                await Audit.WriteAsync(context, "blob.mount", name, digest.ToString(), from: source);
                BlobCreated(context, name, digest);
                return;
            }

            // Not mountable: the spec says to fall back to a regular upload session.
        }

        if (query.TryGetValue("digest", out var digestText))
        {
            var digest = RegistryEndpoints.ParseDigest(digestText);
            await blobs.PutWholeAsync(name, context.Request.Body, context.Request.ContentLength, digest, ct);
            await Audit.WriteAsync(context, "blob.push", name, digest.ToString());
            BlobCreated(context, name, digest);
            return;
        }

        var upload = await blobs.StartUploadAsync(name, WriterOf(context), ct);
        UploadHeaders.Set(context.Response, upload);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentLength = 0;
    }

    public static async Task StatusAsync(HttpContext context, RepositoryName name, string id, BlobService blobs)
    {
        var upload = await blobs.GetUploadAsync(name, id, context.RequestAborted);
        UploadHeaders.Set(context.Response, upload);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    public static async Task AppendAsync(HttpContext context, RepositoryName name, string id, BlobService blobs)
    {
        var upload = await blobs.GetUploadAsync(name, id, context.RequestAborted);
        await blobs.AppendAsync(upload, context.Request.Body, ParseContentRange(context.Request), context.Request.ContentLength, context.RequestAborted);
        UploadHeaders.Set(context.Response, upload);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentLength = 0;
    }

    public static async Task CompleteAsync(HttpContext context, RepositoryName name, string id, BlobService blobs)
    {
        var ct = context.RequestAborted;
        var upload = await blobs.GetUploadAsync(name, id, ct);
        var digest = RegistryEndpoints.ParseDigest(context.Request.Query["digest"]);
        if (context.Request.ContentLength is not 0)
        {
            await blobs.AppendAsync(upload, context.Request.Body, ParseContentRange(context.Request), context.Request.ContentLength, ct);
        }

        await blobs.CompleteAsync(upload, digest, CancellationToken.None);
        await Audit.WriteAsync(context, "blob.push", name, digest.ToString());
        BlobCreated(context, name, digest);
    }

    public static async Task CancelAsync(HttpContext context, RepositoryName name, string id, BlobService blobs)
    {
        var upload = await blobs.GetUploadAsync(name, id, context.RequestAborted);
        await blobs.CancelAsync(upload, context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>Whose open uploads a new one counts against: the user, or for anonymous writers the address.</summary>
    private static string WriterOf(HttpContext context) =>
        Audit.UserOf(context) ?? context.Connection.RemoteIpAddress?.ToString() ?? "anonymous";

    private static ContentRange? ParseContentRange(HttpRequest request)
    {
        var header = request.Headers.ContentRange.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }

        return ContentRange.TryParse(header, out var range)
            ? range
            : throw new OciException(OciErrorCode.BlobUploadInvalid, $"Content-Range '{header}' is not <start>-<end>");
    }

    private static void BlobCreated(HttpContext context, RepositoryName name, Digest digest)
    {
        context.Response.StatusCode = StatusCodes.Status201Created;
        context.Response.Headers.Location = $"/v2/{name}/blobs/{digest}";
        context.Response.Headers["Docker-Content-Digest"] = digest.ToString();
        context.Response.ContentLength = 0;
    }
}
