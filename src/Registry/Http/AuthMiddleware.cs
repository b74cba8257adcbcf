using System.Net;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http;
using U7s.Oci;
using U7s.Registry.Auth;

namespace U7s.Registry.Http;

/// <summary>
/// Who may do what on <c>/v2/</c>: reads are anonymous unless configured otherwise; pushes and deletes
/// need a user allowed for the repository (HTTP Basic, the flow podman login and skopeo --creds use),
/// except from this host when no users are configured (podsec's loader runs on the registry host).
/// Wrong credentials are always 401, so a login can tell a bad password from anonymous access.
/// </summary>
internal sealed class AuthMiddleware(RequestDelegate next, ICredentialValidator users, IWriteAccess access, AuthOptions options, LoginThrottle throttle)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/v2"))
        {
            await next(context);
            return;
        }

        var remote = context.Connection.RemoteIpAddress;
        string? user = null;
        if (context.Request.Headers.Authorization.Count > 0)
        {
            if (!TryReadBasic(context.Request, out var name, out var password))
            {
                Challenge(context);
                throw new OciException(OciErrorCode.Unauthorized, "only Basic credentials are accepted");
            }

            if (throttle.IsBlocked(remote))
            {
                throw new OciException(OciErrorCode.TooManyRequests, "too many failed logins from this address; wait and retry");
            }

            if (!await users.ValidateAsync(name, password, context.RequestAborted))
            {
                throttle.Failed(remote);
                Challenge(context);
                throw new OciException(OciErrorCode.Unauthorized, "invalid username or password");
            }

            user = name;
            context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], "Basic"));
        }

        var isWrite = !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method));
        if (!isWrite)
        {
            if (user is null && !options.AnonymousPull)
            {
                Challenge(context);
                throw new OciException(OciErrorCode.Unauthorized, "this registry needs a login to pull");
            }

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
            if (!users.HasUsers && remote is not null && IPAddress.IsLoopback(remote))
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

    private static string PathAfterV2(HttpContext context) => context.Request.Path.Value is { Length: > 4 } v ? v[4..] : string.Empty;

    private void Challenge(HttpContext context) =>
        context.Response.Headers.WWWAuthenticate = $"Basic realm=\"{options.Realm}\", charset=\"UTF-8\"";

    private static bool TryReadBasic(HttpRequest request, out string user, out string password)
    {
        user = password = string.Empty;
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return false;
            }

            user = decoded[..colon];
            password = decoded[(colon + 1)..];
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
