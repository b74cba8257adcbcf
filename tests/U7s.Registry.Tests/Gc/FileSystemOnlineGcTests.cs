using U7s.Registry.Tests.Storage;
using Xunit.Abstractions;

namespace U7s.Registry.Tests.Gc;

public sealed class FileSystemOnlineGcTests(ITestOutputHelper output) : OnlineGcContract(output)
{
    protected override Task<TestStorage> CreateStorageAsync(string dataRoot) => Task.FromResult<TestStorage>(new FileSystemTestStorage(dataRoot));
}
