using U7s.Registry.Tests.Storage;
using U7s.Testing;

namespace U7s.Registry.Tests.Http;

/// <summary>The mount facts on the real S3 server, where the catalog is a walk of the bucket's key prefixes.</summary>
[RequiresS3]
public sealed class S3CrossMountTests : CrossMountContract
{
    protected override async Task<TestStorage> CreateStorageAsync(string dataRoot) => await S3TestStorage.CreateAsync();
}
