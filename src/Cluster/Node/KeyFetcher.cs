using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace U7s.Cluster.Node;

/// <summary>
/// Downloads the signature store's <c>/keys/</c> listing and every file it lists (public keys and
/// <c>policy.json</c>), as podsec nodes did with <c>curl | jq '.[].name'</c>, but all into memory
/// first so nothing is written unless everything arrived and is sane.
/// </summary>
public sealed partial class KeyFetcher(HttpClient http)
{
    private const int MaxFileBytes = 1024 * 1024;
    private const int MaxFiles = 256;

    /// <summary>
    /// The listed files. MUST fail (Unavailable) if the listing or any file cannot be fetched, and
    /// (InvalidInput) on an unsafe name, too many or too large files, or no <c>policy.json</c>.
    /// With <paramref name="connectTo"/>, every request goes to that address with the URL's own host in the
    /// <c>Host</c> header: a fresh node reaches <c>sigstore.local</c> before its hosts line exists.
    /// </summary>
    public async Task<IReadOnlyList<FetchedFile>> FetchAsync(Uri keysUrl, CancellationToken cancellationToken, string? connectTo = null)
    {
        ArgumentNullException.ThrowIfNull(keysUrl);
        var listing = await GetAsync(keysUrl, connectTo, cancellationToken);
        List<KeyListingEntry> entries;
        try
        {
            entries = JsonSerializer.Deserialize(listing, ClusterJsonContext.Default.ListKeyListingEntry) ?? [];
        }
        catch (JsonException e)
        {
            throw new ClusterException($"{keysUrl} did not answer a JSON listing: {e.Message}", ClusterErrorKind.InvalidInput);
        }

        var files = entries.Where(e => e.Type == "file").ToList();
        if (files.Count > MaxFiles)
        {
            throw new ClusterException($"{keysUrl} lists {files.Count} files; at most {MaxFiles} are accepted", ClusterErrorKind.InvalidInput);
        }

        if (files.FirstOrDefault(f => !SafeName().IsMatch(f.Name)) is { } unsafeEntry)
        {
            throw new ClusterException($"{keysUrl} lists an unacceptable file name: {unsafeEntry.Name}", ClusterErrorKind.InvalidInput);
        }

        if (!files.Any(f => f.Name == "policy.json"))
        {
            throw new ClusterException($"{keysUrl} has no policy.json: run create-imagemakeruser on the registry node first", ClusterErrorKind.InvalidInput);
        }

        var result = new List<FetchedFile>();
        foreach (var file in files)
        {
            result.Add(new FetchedFile(file.Name, await GetAsync(new Uri(keysUrl, Uri.EscapeDataString(file.Name)), connectTo, cancellationToken)));
        }

        return result;
    }

    private async Task<byte[]> GetAsync(Uri url, string? connectTo, CancellationToken cancellationToken)
    {
        var shown = connectTo is null ? url.ToString() : $"{url} (at {connectTo})";
        using var request = new HttpRequestMessage(HttpMethod.Get, connectTo is null ? url : new UriBuilder(url) { Host = connectTo }.Uri);
        if (connectTo is not null)
        {
            request.Headers.Host = url.Authority;
        }

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new ClusterException($"GET {shown}: {(int)response.StatusCode} {response.ReasonPhrase}", ClusterErrorKind.Unavailable);
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > MaxFileBytes)
                {
                    throw new ClusterException($"GET {shown}: larger than {MaxFileBytes} bytes", ClusterErrorKind.InvalidInput);
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
        catch (HttpRequestException e)
        {
            throw new ClusterException($"GET {shown}: {e.Message}", ClusterErrorKind.Unavailable);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9._@+-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex SafeName();
}
