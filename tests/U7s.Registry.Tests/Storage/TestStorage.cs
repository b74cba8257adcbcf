using Microsoft.Extensions.DependencyInjection;
using U7s.Registry.Storage;

namespace U7s.Registry.Tests.Storage;

/// <summary>
/// One storage backend for tests that run the real registry over it, so a contract class states each fact
/// once and every backend's subclass checks it.
/// </summary>
public abstract class TestStorage : IAsyncDisposable
{
    /// <summary>
    /// Registers the backend's stores for a server, with <paramref name="clock"/> as the clock of blob times
    /// (locks keep the real clock: their leases are about real waiting).
    /// </summary>
    public abstract void AddTo(IServiceCollection services, TimeProvider clock);

    /// <summary>The stores another process on the same data opens, as <c>u7s gc</c> does.</summary>
    public abstract StorageView Open(TimeProvider clock);

    public abstract ValueTask DisposeAsync();
}
