using System.Net;

namespace U7s.Cli.Wiring;

/// <summary>
/// Follows redirects of GET and HEAD the way a CLI talking to servers it does not control should: to http(s)
/// URLs only (never <c>file:</c> or anything else, never from https down to http), at most
/// <see cref="MaxRedirects"/> hops, and without the request's credentials once the origin (scheme, host, port)
/// changes. A refused redirect is an <see cref="HttpRequestException"/>, which every caller already turns into
/// its one-line error. Other methods are never redirected: their bodies are streams that cannot be sent twice.
/// </summary>
internal sealed class SafeRedirectHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    public const int MaxRedirects = 10;

    /// <summary>Set on a request that follows a redirect to another origin (and on every hop after it): no login is added to it.</summary>
    public static readonly HttpRequestOptionsKey<bool> LeftOrigin = new("u7s.left-origin");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        for (var hops = 0; IsRedirect(response) && (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head); hops++)
        {
            var from = request.RequestUri!;
            var target = response.Headers.Location is { } location ? (location.IsAbsoluteUri ? location : new Uri(from, location)) : null;
            response.Dispose();
            if (target is null)
            {
                throw new HttpRequestException($"{from} redirected without a Location");
            }

            if (target.Scheme is not ("http" or "https") || (from.Scheme == "https" && target.Scheme == "http"))
            {
                throw new HttpRequestException($"{from} redirected to {target.Scheme}: URLs are not followed (only http(s), never from https to http)");
            }

            if (hops == MaxRedirects)
            {
                throw new HttpRequestException($"{from}: more than {MaxRedirects} redirects");
            }

            request = Follow(request, target);
            response = await base.SendAsync(request, cancellationToken);
        }

        return response;
    }

    private static bool IsRedirect(HttpResponseMessage response) => response.StatusCode is
        HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    /// <summary>The same GET or HEAD to <paramref name="target"/>; credentials and cookies stay behind when the origin changes.</summary>
    private static HttpRequestMessage Follow(HttpRequestMessage request, Uri target)
    {
        var next = new HttpRequestMessage(request.Method, target) { Version = request.Version, VersionPolicy = request.VersionPolicy };
        var sameOrigin = Uri.Compare(request.RequestUri, target, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) == 0
            && !(request.Options.TryGetValue(LeftOrigin, out var left) && left);
        if (!sameOrigin)
        {
            next.Options.Set(LeftOrigin, true);
        }

        foreach (var (name, values) in request.Headers)
        {
            if (sameOrigin || !(name.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || name.Equals("Cookie", StringComparison.OrdinalIgnoreCase)))
            {
                next.Headers.TryAddWithoutValidation(name, values);
            }
        }

        return next;
    }
}
