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
                // A refusal is small and its reason is what the user needs: read more of it than of other errors, made inert.
                var refusal = await ErrorOfAsync(response.Content, MaxErrorBytes, cancellationToken);
                var why = refusal?.Refusal();
                throw new ManifestSourceException($"the registry at {baseUri} refused to serve {reference} (403{(why is null ? ")" : "): " + why)}")
                {
                    Status = (int)response.StatusCode,
                    ErrorCode = refusal?.Code is { } code ? InertText.OneLine(code, 64) : null,
                };
            }

            if (!response.IsSuccessStatusCode)
            {
                var error = await ErrorOfAsync(response.Content, 4096, cancellationToken);
                var detail = error is null ? null : error.Message is null ? error.Code : $"{error.Code}: {error.Message}";
                throw new ManifestSourceException($"GET {uri} answered {(int)response.StatusCode} {response.ReasonPhrase}{(detail is null ? string.Empty : ": " + detail)}")
                {
                    Status = (int)response.StatusCode,
                    ErrorCode = error?.Code,
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

    private static Digest DigestWith(string algorithm, byte[] content) =>
        algorithm == "sha512" ? Digest.FromHash("sha512", System.Security.Cryptography.SHA512.HashData(content)) : Digest.Compute(content);

    /// <summary>
    /// The first <c>{"errors":[{"code","message","detail"}]}</c> entry of an error body, read up to
    /// <paramref name="maxBytes"/> (a longer body does not parse), or null when the body is not one.
    /// </summary>
    private static async Task<OciError?> ErrorOfAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        try
        {
            var body = await BoundedBody.ReadPrefixAsync(content, maxBytes, cancellationToken);
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array
                && errors.GetArrayLength() > 0 && errors[0].ValueKind == JsonValueKind.Object)
            {
                var first = errors[0];
                return new OciError(StringOrNull(first, "code"), StringOrNull(first, "message"), StringOrNull(first, "detail"));
            }
        }
        catch (Exception e) when (e is JsonException or HttpRequestException or IOException)
        {
            // Not an OCI error body (or cut at the bound): the status line alone says what happened.
        }

        return null;
    }

    private static string? StringOrNull(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>An OCI error entry as the registry sent it.</summary>
    private sealed record OciError(string? Code, string? Message, string? Detail)
    {
        /// <summary><c>code: message</c> with the detail when it is a string the message does not already hold, made inert.</summary>
        public string? Refusal()
        {
            var text = string.Join(": ", new[] { Code, Message }.Where(s => !string.IsNullOrEmpty(s)));
            if (!string.IsNullOrEmpty(Detail) && (Message is null || !Message.Contains(Detail, StringComparison.Ordinal)))
            {
                text += $" ({Detail})";
            }

            return text.Length == 0 ? null : InertText.OneLine(text, MaxErrorBytes);
        }
    }
}
