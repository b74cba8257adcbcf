using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace U7s.Sigstore.Http;

/// <summary>
/// Builds the :81 web application over the served <see cref="Store.ISigstoreTree"/> (the directory
/// <see cref="SigstoreOptions.Root"/> unless <c>configureServices</c> registers another): read-only GET/HEAD, plus
/// authenticated signature uploads when <see cref="SigstoreOptions.HtpasswdPath"/> is set.
/// </summary>
public static class SigstoreApp
{
    /// <param name="certificate">Serves HTTPS with this certificate; plain HTTP when null.</param>
    /// <param name="configureListener">Applied to the listener before TLS (connection middleware such as the PROXY protocol).</param>
    public static WebApplication Build(SigstoreOptions options, Action<IServiceCollection>? configureServices = null, Action<ILoggingBuilder>? configureLogging = null, X509Certificate2? certificate = null, Action<ListenOptions>? configureListener = null)
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
            builder.WebHost.UseKestrelHttpsConfiguration();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate));
        }

        // A signature GET is a few microseconds of work (open, stat, read of a 1 KiB file): it runs on the thread that
        // took the bytes off the socket instead of being handed to the thread pool, and with serve's inline socket
        // completions (InlineSocketCompletions) that thread is the event loop's own. The hops between threads cost more
        // than the request: together the two gave 1.2x the signature GETs per second on 2 cores (16.8 to 12.9 µs of
        // server CPU per GET). What is slow here (a login's bcrypt, a verification, an fsync, a listing) moves to the
        // thread pool first (SignatureUploadEndpoint, SigstoreEndpoints), so it never stalls the reads of its event thread.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
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
        builder.Services.AddSingleton(options);
        configureServices?.Invoke(builder.Services);

        // After configureServices: AddSigstore only fills in what is not registered yet.
        builder.Services.AddSigstore(options);
        var app = builder.Build();
        SigstoreEndpoints.Map(app, options);
        return app;
    }
}
