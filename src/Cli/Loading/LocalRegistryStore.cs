using Microsoft.Extensions.DependencyInjection;
using U7s.Loader.Loading;
using U7s.Registry;
using U7s.Registry.Blobs;
using U7s.Registry.Manifests;
using U7s.Registry.Storage;
using U7s.Server.Storage;
using U7s.Sigstore.Manifests;

namespace U7s.Cli.Loading;

/// <summary>
/// The registry's filesystem store at a data root, opened by the loader with the same services
/// <c>u7s serve</c> uses (so uploads, manifest checks and locks are the server's own, and loading
/// while the server runs on the same root is safe).
/// </summary>
internal sealed class LocalRegistryStore : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private LocalRegistryStore(ServiceProvider services)
    {
        _services = services;
        var manifests = services.GetRequiredService<ManifestService>();
        Sink = new LocalStoreSink(services.GetRequiredService<BlobService>(), manifests);
        Manifests = new LocalManifestSource(manifests);
    }

    public IImageSink Sink { get; }

    public IManifestSource Manifests { get; }

    /// <summary>Opens the store at an existing data root (a typo must not start an empty store nobody serves).</summary>
    public static LocalRegistryStore Open(string dataRoot)
    {
        var root = Path.GetFullPath(dataRoot);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"data root '{root}' does not exist");
        }

        return new LocalRegistryStore(new ServiceCollection().AddRegistry(new RegistryOptions { DataRoot = root }).BuildServiceProvider());
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
