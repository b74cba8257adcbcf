using U7s.Registry.Tests.Storage;
using U7s.Testing;

namespace U7s.Registry.Tests.Http;

/// <summary>The chunk facts on the real S3 server, where racing appends meet at the upload state's conditional write.</summary>
[RequiresS3]
public sealed class S3ChunkedUploadTests : ChunkedUploadContract
{
    protected override async Task<TestStorage> CreateStorageAsync(string dataRoot) => await S3TestStorage.CreateAsync();
}
