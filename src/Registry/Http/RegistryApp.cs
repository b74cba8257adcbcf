using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace U7s.Registry.Http;

/// <summary>Builds the :80 web application: the OCI distribution API, /healthz and /metrics.</summary>
public static class RegistryApp
{
    /// <param name="certificate">Serves HTTPS with this certificate; plain HTTP when null.</param>
    /// <param name="configureListener">Applied to the listener before TLS (connection middleware such as the PROXY protocol).</param>
    public static WebApplication Build(RegistryOptions options, Action<IServiceCollection>? configureServices = null, Action<ILoggingBuilder>? configureLogging = null, X509Certificate2? certificate = null, Action<ListenOptions>? configureListener = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        // No appsettings.json is read for reloads: with reloadOnChange (the default) the host watches its content
        // root, the working directory, recursively with inotify, and got an event for every file the store
        // wrote below it (190 watches and 5 % of a push's time with the data under the working directory;
        // the whole filesystem from systemd's "/"). The content root is the program's own directory, not the
        // working directory: a service may start in one it cannot read or that was removed, and nothing the
        // host would read from there (appsettings.json) belongs to whoever owns the working directory.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls($"{(certificate is null ? "http" : "https")}://{options.Listen}");
        if (certificate is not null)
        {
            // The slim builder leaves HTTPS out unless asked.
            builder.WebHost.UseKestrelHttpsConfiguration();
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (certificate is not null)
            {
                kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate);
            }

            // Layers are gigabytes; uploads enforce their own limits and manifests are read bounded.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.RequestHeadersTimeout = options.RequestHeadersTimeout;
            kestrel.Limits.MinRequestBodyDataRate = options.MinRequestBodyBytesPerSecond > 0
                ? new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(options.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(5))
                : null;
            kestrel.AddServerHeader = false;
            if (configureListener is not null)
            {
                kestrel.ConfigureEndpointDefaults(configureListener);
            }
        });
        configureLogging?.Invoke(builder.Logging);
        // The hosting framework starts an Activity and reads trace headers for every request whenever its
        // logger is on at any level; it logs nothing else (request start and end, at Information). Off, it
        // costs nothing per request (4 % of a signature GET's server time in a profile).
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        configureServices?.Invoke(builder.Services);
        builder.Services.AddRegistry(options);
        var app = builder.Build();
        app.UseMiddleware<OciErrorMiddleware>();
        app.UseMiddleware<AuthMiddleware>();
        app.Use(async (HttpContext context, RequestDelegate next) =>
        {
            context.Response.Headers["Docker-Distribution-Api-Version"] = "registry/2.0";
            await next(context);
        });
        RegistryEndpoints.Map(app);
        return app;
    }
}
