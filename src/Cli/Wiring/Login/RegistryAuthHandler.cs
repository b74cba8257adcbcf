using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using U7s.Oci;

namespace U7s.Cli.Wiring.Login;

/// <summary>
/// Logs every CLI request in to the server it goes to, as containers/image does: HTTP Basic where the server
/// challenges with Basic, and the distribution token flow where it challenges with <c>Bearer realm,service,scope</c>
/// (anonymous tokens without a login, tokens for the login with one). The challenge of each server is remembered,
/// so later requests carry their login or a cached token from the start (a streamed blob cannot be sent twice);
/// a 401 on a request that can be sent again is retried once, with a fresh token. A request that follows a
/// redirect to another origin (marked by <see cref="SafeRedirectHandler"/>) is sent as it is: no login and no
/// token ever leave for a host the user did not point the verb at, except the token service the registry names.
/// </summary>
internal sealed partial class RegistryAuthHandler(RegistryLogin login, TimeProvider time, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    /// <summary>Largest token response read: real ones are a few KiB.</summary>
    public const int MaxTokenResponseBytes = 64 * 1024;

    /// <summary>Servers whose challenge is remembered; one verb talks to a handful.</summary>
    private const int MaxOrigins = 64;

    /// <summary>The token lifetime when the response names none (the distribution token spec's default).</summary>
    private static readonly TimeSpan DefaultTokenLifetime = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, AuthChallenge?> _origins = new(StringComparer.OrdinalIgnoreCase);

    public TokenCache Tokens { get; } = new(time);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        if (request.Options.TryGetValue(SafeRedirectHandler.LeftOrigin, out var left) && left)
        {
            return await base.SendAsync(request, cancellationToken);
        }

        var origin = uri.GetLeftPart(UriPartial.Authority);
        var repository = RepositoryOf(uri);
        var credential = login.For(uri, repository);
        var replayable = request.Content is null or ByteArrayContent;
        if ((!replayable || credential is not null) && !_origins.ContainsKey(origin) && uri.AbsolutePath.StartsWith("/v2/", StringComparison.Ordinal))
        {
            // Learn the challenge first, as containers/image does: a body that cannot be sent twice must go out with
            // its login, and a registry that serves anonymous users something else (enforcement's 403) never asks.
            await PingAsync(uri, cancellationToken);
        }

        var authorized = _origins.TryGetValue(origin, out var known) && known is not null
            && await AuthorizeAsync(request, known, credential, ScopesOf(request.Method, repository), fresh: false, cancellationToken);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized || !replayable || AuthChallenge.Parse(response.Headers.WwwAuthenticate) is not { } challenge)
        {
            return response;
        }

        Remember(origin, challenge with { Scopes = [] });
        if (!challenge.IsBearer && (credential is null || authorized))
        {
            // Basic: without a login, or with one the server just refused, there is nothing else to offer.
            return response;
        }

        var scopes = challenge.Scopes.Count > 0 ? challenge.Scopes : ScopesOf(request.Method, repository);
        if (!await AuthorizeAsync(request, challenge, credential, scopes, fresh: true, cancellationToken))
        {
            return response;
        }

        response.Dispose();
        return await base.SendAsync(request, cancellationToken);
    }

    /// <summary>The repository a <c>/v2/&lt;name&gt;/{manifests,blobs,tags,referrers}/…</c> request is for.</summary>
    internal static string? RepositoryOf(Uri uri) => RepositoryPath().Match(uri.AbsolutePath) is { Success: true } match ? match.Groups[1].Value : null;

    /// <summary>The token scope a request needs: pull to read, pull and push to write.</summary>
    private static string[] ScopesOf(HttpMethod method, string? repository) => repository is null
        ? []
        : [$"repository:{repository}:{(method == HttpMethod.Get || method == HttpMethod.Head ? "pull" : "pull,push")}"];

    [GeneratedRegex("^/v2/(.+)/(?:manifests|blobs|tags|referrers)/")]
    private static partial Regex RepositoryPath();

    private void Remember(string origin, AuthChallenge? challenge)
    {
        if (_origins.Count < MaxOrigins || _origins.ContainsKey(origin))
        {
            _origins[origin] = challenge;
        }
    }

    private async Task PingAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var ping = new HttpRequestMessage(HttpMethod.Get, new Uri(uri, "/v2/"));
        using var response = await base.SendAsync(ping, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Unauthorized && AuthChallenge.Parse(response.Headers.WwwAuthenticate) is { } challenge)
        {
            Remember(uri.GetLeftPart(UriPartial.Authority), challenge with { Scopes = [] });
        }
        else if (response.IsSuccessStatusCode)
        {
            Remember(uri.GetLeftPart(UriPartial.Authority), null);
        }
    }

    /// <summary>Sets the request's Authorization for <paramref name="challenge"/>; false when there is nothing to set.</summary>
    private async Task<bool> AuthorizeAsync(
        HttpRequestMessage request, AuthChallenge challenge, RegistryCredential? credential, IReadOnlyList<string> scopes, bool fresh, CancellationToken cancellationToken)
    {
        if (!challenge.IsBearer)
        {
            if (credential is null)
            {
                return false;
            }

            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credential.BasicParameter);
            return true;
        }

        var origin = request.RequestUri!;
        if (challenge.Realm is not { } realm || realm.Scheme is not ("http" or "https"))
        {
            throw new HttpRequestException($"{origin.GetLeftPart(UriPartial.Authority)} asks for a token without an http(s) token service (realm)");
        }

        if (origin.Scheme == "https" && realm.Scheme == "http")
        {
            throw new HttpRequestException($"{origin.GetLeftPart(UriPartial.Authority)} names a plain-http token service {realm.GetLeftPart(UriPartial.Path)}; refused (the login would leave unencrypted)");
        }

        // Keyed by the origin too: a server that names another registry's token service and scope must not be handed
        // the token this process was given for that other registry.
        var key = string.Join('\n', origin.GetLeftPart(UriPartial.Authority), realm.AbsoluteUri, challenge.Service ?? string.Empty, string.Join(' ', scopes), credential?.User ?? string.Empty);
        var token = fresh ? null : Tokens.Get(key);
        if (token is null)
        {
            (token, var lifetime) = await FetchTokenAsync(realm, challenge.Service, scopes, credential, cancellationToken);
            Tokens.Set(key, token, time.GetUtcNow() + lifetime);
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return true;
    }

    private async Task<(string Token, TimeSpan Lifetime)> FetchTokenAsync(
        Uri realm, string? service, IReadOnlyList<string> scopes, RegistryCredential? credential, CancellationToken cancellationToken)
    {
        var query = new List<string>();
        if (service is not null)
        {
            query.Add("service=" + Uri.EscapeDataString(service));
        }

        query.AddRange(scopes.Select(s => "scope=" + Uri.EscapeDataString(s)));
        var url = new UriBuilder(realm) { Query = string.Join('&', new[] { realm.Query.TrimStart('?') }.Where(q => q.Length > 0).Concat(query)) }.Uri;
        var tokenService = realm.GetLeftPart(UriPartial.Path);
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Get, url);
        if (credential is not null)
        {
            tokenRequest.Headers.Authorization = new AuthenticationHeaderValue("Basic", credential.BasicParameter);
        }

        // Straight to the token service: its redirects are not followed, so the login goes to that one URL only.
        using var response = await base.SendAsync(tokenRequest, cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new HttpRequestException(credential is null
                ? $"the token service {tokenService} refused an anonymous token ({(int)response.StatusCode}): give a login (--authfile or --creds)"
                : $"the token service {tokenService} refused the login of {credential.User} ({(int)response.StatusCode})");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"the token service {tokenService} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        var body = await BoundedBody.ReadOrNullAsync(response.Content, MaxTokenResponseBytes, cancellationToken)
            ?? throw new HttpRequestException($"the token service {tokenService} sent a response larger than {MaxTokenResponseBytes / 1024} KiB");
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var token = root.ValueKind != JsonValueKind.Object ? null
                : root.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() is { Length: > 0 } tokenText ? tokenText
                : root.TryGetProperty("access_token", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()
                : null;
            if (token is not { Length: > 0 } || token.Any(c => c is <= ' ' or > '~'))
            {
                throw new HttpRequestException($"the token service {tokenService} sent no usable token");
            }

            var lifetime = root.TryGetProperty("expires_in", out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds)
                : DefaultTokenLifetime;
            return (token, lifetime);
        }
        catch (JsonException)
        {
            throw new HttpRequestException($"the token service {tokenService} sent a response that is not JSON");
        }
    }
}
