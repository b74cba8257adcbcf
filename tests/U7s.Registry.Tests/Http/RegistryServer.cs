using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using U7s.Registry.Http;
using U7s.Testing;

namespace U7s.Registry.Tests.Http;

/// <summary>The real registry application on a real Kestrel listener at 127.0.0.1 with a free port and temp storage.</summary>
public sealed class RegistryServer : IAsyncLifetime, IAsyncDisposable
{
    private readonly TempDirectory _data = new("u7s-registry");
    private WebApplication? _app;

    public Uri BaseUri { get; private set; } = null!;

    /// <summary><c>127.0.0.1:port</c>, as skopeo and podman want it.</summary>
    public string HostPort => $"{BaseUri.Host}:{BaseUri.Port}";

    /// <summary>The data root: the filesystem storage, unless <see cref="ConfigureServices"/> puts it elsewhere; the audit log.</summary>
    public string DataRoot => Options.DataRoot;

    public HttpClient Client { get; private set; } = null!;

    public RegistryOptions Options { get; } = new() { Listen = "127.0.0.1:0" };

    /// <summary>Registrations made before the registry's own (another storage backend, a clock).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>What the server logged, Warning and up.</summary>
    public RecordingLoggerProvider Logs { get; } = new();

    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        if (Options.DataRoot == new RegistryOptions().DataRoot)
        {
            Options.DataRoot = _data.Path;
        }

        _app = RegistryApp.Build(Options, ConfigureServices, l => l.SetMinimumLevel(LogLevel.Warning).AddProvider(Logs));
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUri = new Uri(address);
        Client = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromMinutes(5) };
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _data.Dispose();
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();
}
