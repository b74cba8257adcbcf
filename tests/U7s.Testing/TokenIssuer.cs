using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace U7s.Testing;

/// <summary>
/// A distribution token service on 127.0.0.1 (a real Kestrel server) that docker-registry's <c>auth: token</c>
/// trusts: ES256 JWTs whose header carries the self-signed certificate as <c>x5c</c>, the certificate written as
/// the registry's <c>rootcertbundle</c>. Logins come from a dictionary; anonymous callers get pull rights when
/// <see cref="AnonymousPull"/> is set, users get pull and push. It records every token request.
/// </summary>
public sealed class TokenIssuer : IAsyncDisposable
{
    public const string Service = "u7s-test-registry";
    public const string Issuer = "u7s-test-issuer";

    private readonly WebApplication _app;
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _certificate;
    private readonly Dictionary<string, string> _users;
    private int _spoil;

    private TokenIssuer(WebApplication app, Dictionary<string, string> users)
    {
        _app = app;
        _users = users;
        var request = new CertificateRequest("CN=u7s test token issuer", _key, HashAlgorithmName.SHA256);
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    public Uri Realm { get; private set; } = null!;

    /// <summary>Anonymous token requests get pull rights (docker.io's behaviour); else they are refused with 401.</summary>
    public bool AnonymousPull { get; set; } = true;

    /// <summary>The <c>expires_in</c> the responses name.</summary>
    public int ExpiresIn { get; set; } = 300;

    /// <summary>Each token request's query and <c>Authorization</c> header (null without one), in arrival order.</summary>
    public ConcurrentQueue<(string Query, string? Authorization)> Requests { get; } = new();

    /// <summary>The certificate docker-registry's <c>rootcertbundle</c> names.</summary>
    public string CertificatePem => _certificate.ExportCertificatePem();

    /// <summary>The <c>auth:</c> section of a docker-registry config that trusts this issuer (certificate written to <paramref name="directory"/>).</summary>
    public string RegistryAuth(string directory)
    {
        var bundle = Path.Combine(directory, "token-root.pem");
        File.WriteAllText(bundle, CertificatePem);
        return $"token:\n  realm: {Realm}\n  service: {Service}\n  issuer: {Issuer}\n  rootcertbundle: {bundle}";
    }

    /// <summary>The next <paramref name="count"/> tokens are signed by a key the registry does not trust (as a token of a rotated key is), though the response says they are good for <see cref="ExpiresIn"/>.</summary>
    public void SpoilNext(int count) => Interlocked.Exchange(ref _spoil, count);

    public static async Task<TokenIssuer> StartAsync(Dictionary<string, string> users)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var issuer = new TokenIssuer(app, users);
        app.MapGet("/token", issuer.Issue);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        issuer.Realm = new Uri(new Uri(address), "/token");
        return issuer;
    }

    private IResult Issue(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.Count == 0 ? null : context.Request.Headers.Authorization.ToString();
        Requests.Enqueue((context.Request.QueryString.Value ?? string.Empty, authorization));
        string? user = null;
        if (authorization is not null)
        {
            var decoded = authorization.StartsWith("Basic ", StringComparison.Ordinal) ? Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..])) : string.Empty;
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0 || !_users.TryGetValue(decoded[..colon], out var password) || password != decoded[(colon + 1)..])
            {
                return Results.Unauthorized();
            }

            user = decoded[..colon];
        }
        else if (!AnonymousPull)
        {
            return Results.Unauthorized();
        }

        if (context.Request.Query["service"] != Service)
        {
            return Results.BadRequest();
        }

        var access = new List<object>();
        foreach (var scope in context.Request.Query["scope"])
        {
            var parts = scope!.Split(':');
            if (parts.Length == 3 && parts[0] == "repository")
            {
                var wanted = parts[2].Split(',');
                var granted = wanted.Where(a => a == "pull" || (a == "push" && user is not null)).ToArray();
                access.Add(new { type = "repository", name = parts[1], actions = granted });
            }
        }

        var token = Jwt(user ?? string.Empty, access, Interlocked.Decrement(ref _spoil) >= 0);
        return Results.Json(new Dictionary<string, object> { ["token"] = token, ["expires_in"] = ExpiresIn, ["issued_at"] = DateTimeOffset.UtcNow.ToString("O") });
    }

    private string Jwt(string subject, List<object> access, bool spoiled)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new Dictionary<string, object> { ["typ"] = "JWT", ["alg"] = "ES256", ["x5c"] = new[] { Convert.ToBase64String(_certificate.RawData) } };
        var claims = new Dictionary<string, object>
        {
            ["iss"] = Issuer, ["sub"] = subject, ["aud"] = Service, ["exp"] = now + 300, ["nbf"] = now - 10, ["iat"] = now,
            ["jti"] = Guid.NewGuid().ToString("N"), ["access"] = access,
        };
        var signingInput = $"{Base64Url(JsonSerializer.SerializeToUtf8Bytes(header))}.{Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims))}";
        using var other = spoiled ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : null;
        // ES256 is the raw r||s form, which is .NET's default (IEEE P1363) signature format.
        var signature = (other ?? _key).SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        return $"{signingInput}.{Base64Url(signature)}";
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _certificate.Dispose();
        _key.Dispose();
    }
}
