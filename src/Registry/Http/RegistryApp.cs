using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace U7s.Registry.Http;

/// <summary>Builds the :80 web application: the OCI distribution API, /healthz and /metrics.</summary>
public static class RegistryApp
{
    public static WebApplication Build(RegistryOptions options, Action<IServiceCollection>? configureServices = null, Action<ILoggingBuilder>? configureLogging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://{options.Listen}");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Layers are gigabytes; uploads enforce their own limits and manifests are read bounded.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.RequestHeadersTimeout = options.RequestHeadersTimeout;
            kestrel.Limits.MinRequestBodyDataRate = options.MinRequestBodyBytesPerSecond > 0
                ? new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(options.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(5))
                : null;
            kestrel.AddServerHeader = false;
        });
        configureLogging?.Invoke(builder.Logging);
        configureServices?.Invoke(builder.Services);
        builder.Services.AddRegistry(options);
        var app = builder.Build();
        app.UseMiddleware<OciErrorMiddleware>();
        app.Use(async (HttpContext context, RequestDelegate next) =>
        {
            context.Response.Headers["Docker-Distribution-Api-Version"] = "registry/2.0";
            await next(context);
        });
        RegistryEndpoints.Map(app);
        return app;
    }
}
