using U7s.Registry.Storage;
using U7s.Testing;

namespace U7s.Registry.Tests.Storage;

public sealed class FileSystemMetadataStoreTests : MetadataStoreContract, IDisposable
{
    private readonly TempDirectory _root = new();

    public FileSystemMetadataStoreTests() => Store = new FileSystemMetadataStore(new StoragePaths(_root.Path));

    protected override IMetadataStore Store { get; }

    public void Dispose() => _root.Dispose();
}
