using Microsoft.AspNetCore.Http;
using U7s.Oci;
using U7s.Registry.Blobs;
using U7s.Registry.Manifests;

namespace U7s.Registry.Http;

/// <summary>Manifest PUT and the deletes.</summary>
/// <remarks>
/// Once the request has arrived, the change runs to the end and is audited without the request's
/// cancellation: a client that resets then leaves no change half made and none unrecorded.
/// </remarks>
internal static class WriteHandlers
{
    public static async Task PutManifestAsync(HttpContext context, RepositoryName name, string reference, ManifestService manifests, RegistryOptions options)
    {
        var body = await RequestBody.ReadBoundedAsync(context.Request, options.MaxManifestBytes, context.RequestAborted);
        var contentType = context.Request.ContentType?.Split(';')[0].Trim();
        var result = await manifests.PutAsync(name, reference, body, contentType, CancellationToken.None);
        await Audit.WriteAsync(context, "manifest.push", name, result.Digest.ToString(), Tag.TryParse(reference, out _) ? reference : null);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status201Created;
        response.Headers.Location = $"/v2/{name}/manifests/{result.Digest}";
        response.Headers["Docker-Content-Digest"] = result.Digest.ToString();
        if (result.Subject is { } subject)
        {
            response.Headers["OCI-Subject"] = subject.ToString();
        }

        response.ContentLength = 0;
    }

    public static async Task DeleteManifestAsync(HttpContext context, RepositoryName name, string reference, ManifestService manifests)
    {
        if (!await manifests.DeleteAsync(name, reference, CancellationToken.None))
        {
            throw new OciException(OciErrorCode.ManifestUnknown, $"{name}:{reference}");
        }

        var isTag = Tag.TryParse(reference, out _);
        await Audit.WriteAsync(context, isTag ? "tag.delete" : "manifest.delete", name, isTag ? null : reference, isTag ? reference : null);
        Accepted(context);
    }

    public static async Task DeleteBlobAsync(HttpContext context, RepositoryName name, Digest digest, BlobService blobs)
    {
        if (!await blobs.DeleteAsync(name, digest, CancellationToken.None))
        {
            throw new OciException(OciErrorCode.BlobUnknown, digest.ToString());
        }

        await Audit.WriteAsync(context, "blob.delete", name, digest.ToString());
        Accepted(context);
    }

    private static void Accepted(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentLength = 0;
    }
}
