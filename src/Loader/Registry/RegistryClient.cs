using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using U7s.Oci;

namespace U7s.Loader.Registry;

/// <summary>
/// A small OCI distribution-spec v1.1 client (https://github.com/opencontainers/distribution-spec)
/// for plain-HTTP registries: blob HEAD/GET, monolithic POST+PUT uploads streamed with a
/// Content-Length, cross-repository mounts (the POST of an upload), manifest PUT/GET, tag listing. No auth, no retries:
/// a request body is a forward-only stream that cannot be replayed.
/// </summary>
internal sealed partial class RegistryClient(HttpClient http, Uri baseUri)
{
    /// <summary>Manifests larger than this are refused (the limit registries apply too).</summary>
    public const int MaxManifestBytes = 4 << 20;

    /// <summary>One page of a tag list: some hundred thousand tags.</summary>
    private const int MaxTagPageBytes = 16 << 20;

    /// <summary>The start of an error body that is read for its OCI error code.</summary>
    private const int MaxErrorBytes = 64 << 10;

    private static readonly string[] ManifestTypes =
        [MediaTypes.OciManifest, MediaTypes.OciIndex, MediaTypes.DockerManifest, MediaTypes.DockerManifestList];

    public Uri BaseUri { get; } = baseUri;

    /// <summary>
    /// <c>GET /v2/</c>: MUST throw <see cref="RegistryException"/> unless the registry answers as one
    /// (200, or 401 when it wants a login). Asked before an archive is read, so an unreachable
    /// registry is reported in a second, not after minutes of decompression.
    /// </summary>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url("/v2/"));
        using var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            await EnsureSuccessAsync(response, cancellationToken);
        }
    }

    /// <summary>The blob's size, or null when the repository does not serve it.</summary>
    public async Task<long?> BlobSizeOrNullAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, Url($"/v2/{repository}/blobs/{digest}"));
        using var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, cancellationToken);
        return response.Content.Headers.ContentLength ?? 0;
    }

    /// <summary>
    /// Starts a blob upload with a cross-repository mount: <c>POST /v2/&lt;name&gt;/blobs/uploads/?mount=&lt;digest&gt;</c>,
    /// with <c>&amp;from=&lt;source&gt;</c> when one is known (without it a registry may mount from any
    /// repository holding the blob, distribution-spec v1.1). Returns null when the registry mounted
    /// the blob (201); otherwise the location of the upload it opened instead (202), to be completed
    /// with <see cref="CompleteUploadAsync"/> or cancelled with <see cref="CancelUploadAsync"/>.
    /// </summary>
    public async Task<Uri?> MountOrStartUploadAsync(RepositoryName repository, Digest digest, RepositoryName? source, CancellationToken cancellationToken)
    {
        var query = $"?mount={Uri.EscapeDataString(digest.ToString())}" + (source is { } from ? $"&from={Uri.EscapeDataString(from.Value)}" : string.Empty);
        return await StartUploadAsync(repository, query, cancellationToken);
    }

    /// <summary>
    /// Sends the whole blob in one PUT to an upload started by <see cref="MountOrStartUploadAsync"/>,
    /// its body read from <paramref name="content"/> as it is sent. The registry checks the digest;
    /// a read failure aborts the request so nothing is committed.
    /// </summary>
    public async Task CompleteUploadAsync(Uri location, Digest digest, long size, Stream content, CancellationToken cancellationToken)
    {
        var separator = location.Query.Length > 0 ? "&" : "?";
        var put = new Uri(location + separator + "digest=" + Uri.EscapeDataString(digest.ToString()));
        using var body = new BlobUploadContent(content, size);
        body.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.OctetStream);
        using var request = new HttpRequestMessage(HttpMethod.Put, put) { Content = body };
        using var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    /// <summary>Cancels an upload that will not be completed; best effort, the registry expires it anyway.</summary>
    public async Task CancelUploadAsync(Uri location, CancellationToken cancellationToken)
    {
        using var cancel = new HttpRequestMessage(HttpMethod.Delete, location);
        using var ignored = await SendAsync(cancel, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>Uploads a blob in one POST and one PUT (no mount), the body streamed from <paramref name="content"/>.</summary>
    public async Task UploadBlobAsync(RepositoryName repository, Digest digest, long size, Stream content, CancellationToken cancellationToken)
    {
        var location = await StartUploadAsync(repository, string.Empty, cancellationToken)
            ?? throw new RegistryException($"POST /v2/{repository}/blobs/uploads/ answered 201 to an upload without a mount");
        await CompleteUploadAsync(location, digest, size, content, cancellationToken);
    }

    public async Task<Digest> PutManifestAsync(RepositoryName repository, string reference, ReadOnlyMemory<byte> content, string mediaType, CancellationToken cancellationToken)
    {
        using var body = new ReadOnlyMemoryContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var request = new HttpRequestMessage(HttpMethod.Put, Url($"/v2/{repository}/manifests/{reference}")) { Content = body };
        using var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        var computed = Digest.Compute(content.Span);
        if (response.Headers.TryGetValues("Docker-Content-Digest", out var values)
            && Digest.TryParse(values.FirstOrDefault(), out var served) && served != computed)
        {
            throw new RegistryException($"registry stored {repository}:{reference} as {served}, but the bytes sent have digest {computed}");
        }

        return computed;
    }

    /// <summary>The manifest as served (any of the four manifest media types), or null when unknown.</summary>
    public async Task<ManifestResponse?> GetManifestOrNullAsync(RepositoryName repository, string reference, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url($"/v2/{repository}/manifests/{reference}"));
        foreach (var type in ManifestTypes)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        using var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, cancellationToken);
        var bytes = await ReadBodyAsync(response, MaxManifestBytes, cancellationToken)
            ?? throw new RegistryException($"manifest {repository}:{reference} is larger than {MaxManifestBytes} bytes");
        var mediaType = response.Content.Headers.ContentType?.MediaType ?? MediaTypes.OciManifest;
        return new ManifestResponse(bytes, mediaType, Digest.Compute(bytes));
    }

    /// <summary>Opens a blob's content; the caller disposes the stream (which owns the response).</summary>
    public async Task<Stream> OpenBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Url($"/v2/{repository}/blobs/{digest}"));
        var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        try
        {
            await EnsureSuccessAsync(response, cancellationToken);
            return new ResponseStream(await response.Content.ReadAsStreamAsync(cancellationToken), response, request);
        }
        catch
        {
            response.Dispose();
            request.Dispose();
            throw;
        }
    }

    /// <summary>Tags of a repository in the order served, following <c>Link</c> pages.</summary>
    public async IAsyncEnumerable<string> ListTagsAsync(RepositoryName repository, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Uri? next = Url($"/v2/{repository}/tags/list");
        for (var page = 0; next is not null && page < 10_000; page++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, next);
            using var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                yield break;
            }

            await EnsureSuccessAsync(response, cancellationToken);
            var body = await ReadBodyAsync(response, MaxTagPageBytes, cancellationToken)
                ?? throw new RegistryException($"a tag list page of {repository} is larger than {MaxTagPageBytes} bytes");
            using var doc = ParseTagPage(body, repository);
            if (doc.RootElement.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array)
            {
                foreach (var tag in tags.EnumerateArray())
                {
                    if (tag.GetString() is { } value)
                    {
                        yield return value;
                    }
                }
            }

            next = NextLink(response);
        }
    }

    private async Task<Uri?> StartUploadAsync(RepositoryName repository, string query, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Url($"/v2/{repository}/blobs/uploads/{query}")) { Content = new ByteArrayContent([]) };
        using var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            return null;
        }

        await EnsureSuccessAsync(response, cancellationToken);
        return Resolve(response.Headers.Location
            ?? throw new RegistryException($"POST /v2/{repository}/blobs/uploads/ answered without a Location", response.StatusCode));
    }

    private Uri? NextLink(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var links))
        {
            return null;
        }

        foreach (var link in links)
        {
            var open = link.IndexOf('<', StringComparison.Ordinal);
            var close = link.IndexOf('>', StringComparison.Ordinal);
            if (open >= 0 && close > open && link.Contains("rel=\"next\"", StringComparison.Ordinal))
            {
                return Resolve(new Uri(link[(open + 1)..close], UriKind.RelativeOrAbsolute));
            }
        }

        return null;
    }

    /// <summary>The body when it has at most <paramref name="maxBytes"/>, null when more; a transfer that breaks is a <see cref="RegistryException"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpResponseMessage response, int maxBytes, CancellationToken cancellationToken)
    {
        try
        {
            return await BoundedBody.ReadOrNullAsync(response.Content, maxBytes, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new RegistryException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {e.Message}", null, null, e);
        }
    }

    private static JsonDocument ParseTagPage(byte[] body, RepositoryName repository)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new RegistryException($"the tag list of {repository} is not JSON: {e.Message}");
        }
    }

    private Uri Url(string pathAndQuery) => new(BaseUri, pathAndQuery);

    private Uri Resolve(Uri location) => location.IsAbsoluteUri ? location : new Uri(BaseUri, location);

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new RegistryException($"{request.Method} {request.RequestUri}: {e.Message}", null, null, e);
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var detail = string.Empty;
        string? code = null;
        try
        {
            // Only the start of an error body is ever shown; a hostile one can be endless.
            var text = System.Text.Encoding.UTF8.GetString(await BoundedBody.ReadPrefixAsync(response.Content, MaxErrorBytes, cancellationToken));
            detail = (text.Length > 300 ? text[..300] : text).ReplaceLineEndings(" ");
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            {
                var first = errors[0];
                code = first.TryGetProperty("code", out var c) ? c.GetString() : null;
                var message = first.TryGetProperty("message", out var m) ? m.GetString() : null;
                detail = $"{code}: {message}";
            }
        }
        catch (JsonException)
        {
            // Not the OCI envelope; keep the raw text.
        }

        var request = response.RequestMessage;
        throw new RegistryException(
            $"{request?.Method} {request?.RequestUri?.AbsolutePath} answered {(int)response.StatusCode} {detail.Trim()}".TrimEnd(),
            response.StatusCode,
            code);
    }
}
