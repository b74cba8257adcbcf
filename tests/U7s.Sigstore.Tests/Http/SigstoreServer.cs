using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using U7s.Sigstore.Http;

namespace U7s.Sigstore.Tests.Http;

/// <summary>The real :81 app on 127.0.0.1:0 over a temp tree, with a plain client.</summary>
internal sealed class SigstoreServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SigstoreServer(WebApplication app, TempDirectory root, HttpClient client)
    {
        _app = app;
        Root = root;
        Client = client;
    }

    public TempDirectory Root { get; }

    public HttpClient Client { get; }

    public static async Task<SigstoreServer> StartAsync(Action<IServiceCollection>? services = null, Action<SigstoreOptions>? configure = null)
    {
        var root = new TempDirectory("u7s-sigstore");
        var options = new SigstoreOptions { Listen = "127.0.0.1:0", Root = root.Path };
        configure?.Invoke(options);
        var app = SigstoreApp.Build(options, services, l => l.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(address) };
        return new SigstoreServer(app, root, client);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Root.Dispose();
    }
}
