using U7s.Registry.Storage;
using U7s.Testing;

namespace U7s.Registry.Tests.Storage;

/// <summary>The lock contract on the filesystem: every <see cref="FileRegistryLock"/> opens the lock files anew, as another process does.</summary>
public sealed class FileSystemRegistryLockTests : RegistryLockContract, IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    protected override IRegistryLock OpenLock() => new FileRegistryLock(new StoragePaths(_root.Path));
}
