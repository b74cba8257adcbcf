using U7s.Registry.Tests.Storage;

namespace U7s.Registry.Tests.Http;

public sealed class FileSystemCrossMountTests : CrossMountContract
{
    protected override Task<TestStorage> CreateStorageAsync(string dataRoot) => Task.FromResult<TestStorage>(new FileSystemTestStorage(dataRoot));
}
