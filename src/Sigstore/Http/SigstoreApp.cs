using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using U7s.Sigstore.Manifests;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Upload;

namespace U7s.Sigstore.Http;

/// <summary>
/// Builds the :81 web application over <see cref="SigstoreOptions.Root"/>: read-only GET/HEAD, plus
/// authenticated signature uploads when <see cref="SigstoreOptions.HtpasswdPath"/> is set.
/// </summary>
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

        // Defaults for signature uploads; TryAdd keeps what configureServices registered first.
        builder.Services.TryAddSingleton<IOpenPgp, BouncyCastleOpenPgp>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<IManifestSource>(_ => new HttpManifestSource(
            new HttpClient { Timeout = TimeSpan.FromMinutes(1) },
            options.RegistryUrl is null ? null : new Uri(options.RegistryUrl)));
        builder.Services.TryAddSingleton<SignatureUploadService>();
        var app = builder.Build();
        SigstoreEndpoints.Map(app, options);
        return app;
    }
}
