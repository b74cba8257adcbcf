using Microsoft.Extensions.DependencyInjection;
using U7s.Registry.Storage;

namespace U7s.Registry.Tests.Storage;

/// <summary>The filesystem backend under <see cref="Root"/>: a server's data root, opened again as another process would.</summary>
public sealed class FileSystemTestStorage(string root) : TestStorage
{
    public string Root { get; } = root;

    public override void AddTo(IServiceCollection services, TimeProvider clock) => services.AddSingleton(clock);

    public override StorageView Open(TimeProvider clock)
    {
        var paths = new StoragePaths(Root);
        return new StorageView(new FileSystemBlobStore(paths, clock), new FileSystemMetadataStore(paths), new FileRegistryLock(paths));
    }

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
