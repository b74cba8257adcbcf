using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using U7s.Oci;

namespace U7s.Sigstore.Manifests;

/// <summary>
/// <see cref="IManifestSource"/> over the distribution API (<c>GET /v2/&lt;name&gt;/manifests/&lt;ref&gt;</c>),
/// plain HTTP as on :80. <paramref name="registryBase"/> overrides the base URL (default
/// <c>http://&lt;reference host&gt;</c>), e.g. to reach <c>registry.local</c> through 127.0.0.1.
/// </summary>
public sealed class HttpManifestSource(HttpClient http, Uri? registryBase = null) : IManifestSource
{
    private const int MaxManifestBytes = 4 * 1024 * 1024;
    private const int MaxErrorBytes = 64 * 1024;

    private static readonly string[] Accepted = [MediaTypes.OciManifest, MediaTypes.OciIndex, MediaTypes.DockerManifest, MediaTypes.DockerManifestList];

    public async Task<FetchedManifest?> GetManifestOrNullAsync(Reference reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var baseUri = registryBase ?? new Uri($"http://{reference.Host ?? throw new ManifestSourceException($"'{reference}' names no registry host")}/");
        var tagOrDigest = reference.Digest?.ToString() ?? reference.Tag?.Value ?? "latest";
        var uri = new Uri(baseUri, $"v2/{reference.Repository.Value}/manifests/{tagOrDigest}");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        foreach (var type in Accepted)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new ManifestSourceException($"cannot reach {baseUri}: {e.Message}", e);
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            if (response.StatusCode == HttpStatusCode.Forbidden)
            {
                var (code, why) = await RefusalOrNullAsync(response, cancellationToken);
                throw new ManifestSourceException($"the registry at {baseUri} refused to serve {reference} (403{(why is null ? ")" : "): " + why)}")
                {
                    Status = (int)response.StatusCode,
                    ErrorCode = code,
                };
            }

            if (!response.IsSuccessStatusCode)
            {
                var (code, detail) = await ErrorOfAsync(response.Content, cancellationToken);
                throw new ManifestSourceException($"GET {uri} answered {(int)response.StatusCode} {response.ReasonPhrase}{(detail is null ? string.Empty : ": " + detail)}")
                {
                    Status = (int)response.StatusCode,
                    ErrorCode = code,
                };
            }

            byte[]? content;
            try
            {
                content = await BoundedBody.ReadOrNullAsync(response.Content, MaxManifestBytes, cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                throw new ManifestSourceException($"reading {uri}: {e.Message}", e);
            }

            if (content is null)
            {
                throw new ManifestSourceException($"manifest of {reference} is larger than 4 MiB");
            }

            var digest = Digest.Compute(content);
            if (reference.Digest is { } expected && expected != digest && expected != DigestWith(expected.Algorithm, content))
            {
                throw new ManifestSourceException($"manifest served for {reference} has digest {digest}");
            }

            return new FetchedManifest(content, response.Content.Headers.ContentType?.MediaType, digest);
        }
    }

    /// <summary>
    /// The OCI error envelope's first <c>code: message</c> (with its <c>detail</c> when it is a string the
    /// message does not already hold), or null when the body is not one. Read bounded: a refusal is small.
    /// </summary>
    private static async Task<(string? Code, string? Text)> RefusalOrNullAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await BoundedBody.ReadOrNullAsync(response.Content, MaxErrorBytes, cancellationToken);
            if (body is null)
            {
                return (null, null);
            }

            using var json = JsonDocument.Parse(body);
            if (!json.RootElement.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Array || errors.GetArrayLength() == 0)
            {
                return (null, null);
            }

            var first = errors[0];
            var code = first.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            var message = first.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            var detail = first.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            var text = string.Join(": ", new[] { code, message }.Where(s => !string.IsNullOrEmpty(s)));
            if (!string.IsNullOrEmpty(detail) && (message is null || !message.Contains(detail, StringComparison.Ordinal)))
            {
                text += $" ({detail})";
            }

            return (code is null ? null : InertText.OneLine(code, 64), text.Length == 0 ? null : InertText.OneLine(text, MaxErrorBytes));
        }
        catch (Exception e) when (e is JsonException or HttpRequestException or IOException)
        {
            return (null, null);
        }
    }

    private static Digest DigestWith(string algorithm, byte[] content) =>
        algorithm == "sha512" ? Digest.FromHash("sha512", System.Security.Cryptography.SHA512.HashData(content)) : Digest.Compute(content);

    /// <summary>The first <c>{"errors":[{"code","message"}]}</c> entry of an error body (read up to 4 KiB), or nulls.</summary>
    private static async Task<(string? Code, string? Message)> ErrorOfAsync(HttpContent content, CancellationToken cancellationToken)
    {
        try
        {
            var body = await BoundedBody.ReadPrefixAsync(content, 4096, cancellationToken);
            using var document = System.Text.Json.JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && document.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == System.Text.Json.JsonValueKind.Array
                && errors.GetArrayLength() > 0 && errors[0].ValueKind == System.Text.Json.JsonValueKind.Object)
            {
                var first = errors[0];
                var code = first.TryGetProperty("code", out var c) && c.ValueKind == System.Text.Json.JsonValueKind.String ? c.GetString() : null;
                var message = first.TryGetProperty("message", out var m) && m.ValueKind == System.Text.Json.JsonValueKind.String ? m.GetString() : null;
                return (code, message is null ? code : $"{code}: {message}");
            }
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or HttpRequestException or IOException)
        {
            // Not an OCI error body (or cut at 4 KiB): the status line alone says what happened.
        }

        return (null, null);
    }
}
