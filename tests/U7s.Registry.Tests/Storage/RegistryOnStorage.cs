using U7s.Registry.Tests.Http;
using U7s.Testing;

namespace U7s.Registry.Tests.Storage;

/// <summary>
/// Base of contract classes that run the real registry (Kestrel on 127.0.0.1) over one storage backend, given by
/// the subclass, with a clock the test moves.
/// </summary>
public abstract class RegistryOnStorage : IAsyncLifetime
{
    private readonly TempDirectory _data = TempDirectory.InMemory("u7s-backend", 1L << 30);
    private TestStorage? _storage;
    private RegistryServer? _server;

    protected ManualTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected TestStorage Storage => _storage ?? throw new InvalidOperationException("not initialised");

    protected RegistryServer Server => _server ?? throw new InvalidOperationException("not initialised");

    protected HttpClient Client => Server.Client;

    /// <summary>The backend, with <paramref name="dataRoot"/> as the filesystem's data root.</summary>
    protected abstract Task<TestStorage> CreateStorageAsync(string dataRoot);

    public async Task InitializeAsync()
    {
        var storage = await CreateStorageAsync(_data.Path);
        _storage = storage;
        _server = new RegistryServer { ConfigureServices = s => storage.AddTo(s, Clock) };
        _server.Options.DataRoot = _data.Path;
        await _server.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_storage is not null)
        {
            await _storage.DisposeAsync();
        }

        _data.Dispose();
    }
}
