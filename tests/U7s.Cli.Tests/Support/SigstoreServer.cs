using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using U7s.Sigstore;
using U7s.Sigstore.Http;

namespace U7s.Cli.Tests.Support;

/// <summary>U7s's own :81 app on 127.0.0.1 and a free port, serving a test tree.</summary>
internal sealed class SigstoreServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SigstoreServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<SigstoreServer> StartAsync(string root)
    {
        var app = SigstoreApp.Build(new SigstoreOptions { Listen = "127.0.0.1:0", Root = root }, configureLogging: l => l.ClearProviders());
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new SigstoreServer(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
