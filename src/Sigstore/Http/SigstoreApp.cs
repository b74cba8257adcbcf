using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace U7s.Sigstore.Http;

/// <summary>Builds the :81 web application over <see cref="SigstoreOptions.Root"/>.</summary>
public static class SigstoreApp
{
    public static WebApplication Build(SigstoreOptions options, Action<IServiceCollection>? configureServices = null, Action<ILoggingBuilder>? configureLogging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://{options.Listen}");
        configureLogging?.Invoke(builder.Logging);
        builder.Services.AddSingleton(options);
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        SigstoreEndpoints.Map(app, options);
        return app;
    }
}
