using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using U7s.Oci;
using U7s.Registry.Access;
using U7s.Registry.Blobs;
using U7s.Registry.Manifests;
using U7s.Registry.Storage;

namespace U7s.Registry.Http;

/// <summary>GET and HEAD: version check, listings, manifests, blobs (with ranges) and referrers.</summary>
internal static class ReadHandlers
{
    public static Task BaseAsync(HttpContext context) => JsonAsync(context, "{}"u8.ToArray());

    public static async Task CatalogAsync(HttpContext context, ManifestService manifests)
    {
        var page = Pagination.Apply(context, await manifests.ListRepositoriesAsync(context.RequestAborted), "/v2/_catalog");
        await JsonAsync(context, JsonSerializer.SerializeToUtf8Bytes(new CatalogResponse(page), HttpJsonContext.Default.CatalogResponse));
    }

    public static async Task TagsAsync(HttpContext context, RepositoryName name, ManifestService manifests)
    {
        var tags = await manifests.ListTagsOrNullAsync(name, context.RequestAborted)
            ?? throw new OciException(OciErrorCode.NameUnknown, $"repository {name} is not known");
        var page = Pagination.Apply(context, tags, $"/v2/{name}/tags/list");
        await JsonAsync(context, JsonSerializer.SerializeToUtf8Bytes(new TagListResponse(name.Value, page), HttpJsonContext.Default.TagListResponse));
    }

    public static async Task ManifestAsync(HttpContext context, RepositoryName name, string reference, ManifestService manifests, ManifestAccessGate gate)
    {
        var manifest = await manifests.GetOrNullAsync(name, reference, context.RequestAborted)
            ?? throw new OciException(OciErrorCode.ManifestUnknown, $"{name}:{reference}");
        await using (manifest.Content)
        {
            await gate.CheckAsync(name, reference, manifest.Digest, context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name : null, context.RequestAborted);
            var response = context.Response;
            response.ContentType = manifest.MediaType;
            response.Headers["Docker-Content-Digest"] = manifest.Digest.ToString();
            response.Headers.ETag = $"\"{manifest.Digest}\"";
            await SendAsync(context, manifest.Content, 0, manifest.Content.Length);
        }
    }

    public static async Task BlobAsync(HttpContext context, RepositoryName name, Digest digest, BlobService blobs)
    {
        if (await TryRedirectAsync(context, name, digest, blobs))
        {
            return;
        }

        if (HttpMethods.IsHead(context.Request.Method))
        {
            // The size is all a HEAD needs. Opening would cost more on some stores: on S3 it is a GET that starts sending.
            var size = await blobs.GetSizeOrNullAsync(name, digest, context.RequestAborted)
                ?? throw new OciException(OciErrorCode.BlobUnknown, digest.ToString());
            context.Response.ContentLength = BlobHeaders(context, digest, size).Count;
            return;
        }

        var content = await blobs.OpenOrNullAsync(name, digest, context.RequestAborted)
            ?? throw new OciException(OciErrorCode.BlobUnknown, digest.ToString());
        await using (content)
        {
            var (from, count) = BlobHeaders(context, digest, content.Length);
            await SendAsync(context, content, from, count);
        }
    }

    /// <summary>Sets a blob answer's status and headers (200, or 206 for a satisfiable range); returns the slice to send.</summary>
    private static (long From, long Count) BlobHeaders(HttpContext context, Digest digest, long length)
    {
        var response = context.Response;
        response.ContentType = MediaTypes.OctetStream;
        response.Headers["Docker-Content-Digest"] = digest.ToString();
        response.Headers.AcceptRanges = "bytes";
        response.Headers.ETag = $"\"{digest}\"";
        var range = ByteRange.Parse(context.Request.Headers.Range.ToString(), length);
        if (range is null)
        {
            return (0, length);
        }

        if (!range.Value.Satisfiable)
        {
            response.Headers.ContentRange = $"bytes */{length}";
            throw new OciException(OciErrorCode.RangeInvalid, $"range {context.Request.Headers.Range} is outside the blob's {length} bytes");
        }

        var (from, to) = (range.Value.From, range.Value.To);
        response.StatusCode = StatusCodes.Status206PartialContent;
        response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {from}-{to}/{length}");
        return (from, to - from + 1);
    }

    /// <summary>Answers a blob GET with 307 to the storage itself, when the store offers that.</summary>
    private static async Task<bool> TryRedirectAsync(HttpContext context, RepositoryName name, Digest digest, BlobService blobs)
    {
        // HEAD is answered here either way: it is cheap, and a redirect would only add a round trip.
        if (!HttpMethods.IsGet(context.Request.Method) || await blobs.GetReadUrlOrNullAsync(name, digest, context.RequestAborted) is not { } url)
        {
            return false;
        }

        context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
        context.Response.Headers.Location = url.OriginalString;
        context.Response.Headers["Docker-Content-Digest"] = digest.ToString();
        return true;
    }

    public static async Task ReferrersAsync(HttpContext context, RepositoryName name, Digest subject, ManifestService manifests)
    {
        var artifactType = context.Request.Query.TryGetValue("artifactType", out var a) && !string.IsNullOrEmpty(a) ? a.ToString() : null;
        var referrers = await manifests.ListReferrersAsync(name, subject, artifactType, context.RequestAborted);
        if (artifactType is not null)
        {
            context.Response.Headers["OCI-Filters-Applied"] = "artifactType";
        }

        var index = new ReferrersResponse(2, MediaTypes.OciIndex, referrers);
        var body = JsonSerializer.SerializeToUtf8Bytes(index, HttpJsonContext.Default.ReferrersResponse);
        context.Response.ContentType = MediaTypes.OciIndex;
        context.Response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    private static async Task JsonAsync(HttpContext context, byte[] body)
    {
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    /// <summary>Sends a slice of the content; from a local file through sendfile, otherwise by streaming.</summary>
    private static async Task SendAsync(HttpContext context, BlobContent content, long offset, long count)
    {
        context.Response.ContentLength = count;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        // Kestrel has no kernel sendfile: its SendFileAsync reopens the path and copies through a stream.
        // Reading straight into the response pipe's buffers instead saves that open and one copy per byte.
        if (offset > 0)
        {
            content.Stream.Seek(offset, SeekOrigin.Begin);
        }

        await StreamCopy.CopyToPipeAsync(content.Stream, context.Response.BodyWriter, count, context.RequestAborted);
        context.RequestServices.GetService<RegistryMetrics>()?.AddBytesSent(count);
    }
}
