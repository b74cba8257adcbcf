using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using U7s.Oci;
using U7s.Security.Login;
using U7s.Security.Writers;

namespace U7s.Registry.Http;

/// <summary>
/// Who may do what on <c>/v2/</c>, <c>/ui/</c> and <c>/metrics</c>: reads are anonymous unless configured otherwise; pushes and deletes
/// need a user allowed for the repository (HTTP Basic, the flow podman login and skopeo --creds use),
/// except from this host (<see cref="ThisHost"/>: loopback, or from one of this host's addresses to itself, as
/// <c>registry.local</c> is reached on the registry node) when no users are configured (podsec's loader runs on the
/// registry host) and connections do not come through a proxy (<see cref="RegistryOptions.ProxyProtocol"/>: the
/// proxy's addresses are not this host's). Wrong credentials are always 401, so a login can tell a bad password
/// from anonymous access; too many of them for one user from one address, or from one address at all, are 429.
/// </summary>
internal sealed class AuthMiddleware(RequestDelegate next, LoginGate users, IWriteAccess access, RegistryOptions registry)
{
    public async Task InvokeAsync(HttpContext context)
    {
        // Only the health checks are open to all (haproxy probes them without credentials). The status page
        // and /metrics tell what pulls could read, and who pushed: they follow the pull rules.
        if (HealthEndpoints.IsHealthPath(context.Request.Path))
        {
            await next(context);
            return;
        }

        var remote = context.Connection.RemoteIpAddress;
        var user = await AuthenticateAsync(context, remote);
        var isBase = context.Request.Path.Value is "/v2" or "/v2/";
        if (isBase && user is null && users.HasUsers)
        {
            // The version check is where clients learn how to log in (containers/image pings it first and
            // only sends credentials after a challenge there), so with users configured it always challenges.
            Challenge(context);
            throw new OciException(OciErrorCode.Unauthorized, "log in to push; pulls need no login");
        }

        var isWrite = !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method));
        if (!isWrite)
        {
            if (user is null && !registry.Auth.AnonymousPull)
            {
                Challenge(context);
                throw new OciException(OciErrorCode.Unauthorized, "this registry needs a login to pull");
            }

            await next(context);
            return;
        }

        if (!context.Request.Path.StartsWithSegments("/v2"))
        {
            // No write outside /v2/: routing answers it (404 or 405).
            await next(context);
            return;
        }

        var path = OciPath.Parse(context.Request.RouteValues.TryGetValue("path", out var p) ? p as string : PathAfterV2(context));
        if (path.Route is OciRoute.Unknown or OciRoute.Base or OciRoute.Catalog)
        {
            await next(context);
            return;
        }

        if (user is null)
        {
            if (!users.HasUsers && !registry.ProxyProtocol && ThisHost.IsClient(context.Connection))
            {
                await next(context);
                return;
            }

            Challenge(context);
            throw new OciException(OciErrorCode.Unauthorized, $"pushing to {path.Name} needs a login");
        }

        if (!await access.MayWriteAsync(user, path.Name, context.RequestAborted))
        {
            throw new OciException(OciErrorCode.Denied, $"{user} may not write to {path.Name}");
        }

        await next(context);
    }

    /// <summary>The logged-in user, or null for anonymous; MUST throw 401/429 for credentials that do not check out.</summary>
    private async Task<string?> AuthenticateAsync(HttpContext context, IPAddress? remote)
    {
        if (context.Request.Headers.Authorization.Count == 0)
        {
            return null;
        }

        if (!BasicCredentials.TryParse(context.Request.Headers.Authorization.ToString(), out var name, out var password))
        {
            Challenge(context);
            throw new OciException(OciErrorCode.Unauthorized, "only Basic credentials are accepted");
        }

        if (name.Length == 0 && password.Length == 0)
        {
            // containers/image answers a Basic challenge with empty credentials when it has none: anonymous.
            return null;
        }

        switch (await users.CheckAsync(name, password, remote, context.RequestAborted))
        {
            case LoginResult.Throttled:
                throw new OciException(OciErrorCode.TooManyRequests, "too many failed logins from this address; wait and retry");
            case LoginResult.Invalid:
                Challenge(context);
                throw new OciException(OciErrorCode.Unauthorized, "invalid username or password");
        }

        context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], "Basic"));
        return name;
    }

    private static string PathAfterV2(HttpContext context) => context.Request.Path.Value is { Length: > 4 } v ? v[4..] : string.Empty;

    private void Challenge(HttpContext context) =>
        context.Response.Headers.WWWAuthenticate = $"Basic realm=\"{registry.Auth.Realm}\", charset=\"UTF-8\"";
}
