using U7s.Registry.Storage;
using U7s.S3.Registry;
using U7s.Testing;

namespace U7s.Registry.Tests.Storage;

/// <summary>The metadata contract against the real S3 server, each test in a fresh prefix.</summary>
[RequiresS3]
public sealed class S3MetadataStoreTests : MetadataStoreContract, IAsyncLifetime
{
    private S3TestStore? _s3;
    private S3MetadataStore? _store;

    protected override IMetadataStore Store => _store ?? throw new InvalidOperationException("not initialised");

    public async Task InitializeAsync()
    {
        _s3 = await S3TestStore.CreateAsync();
        _store = new S3MetadataStore(_s3.Bucket);
    }

    public async Task DisposeAsync()
    {
        if (_s3 is not null)
        {
            await _s3.DisposeAsync();
        }
    }
}
