using U7s.Registry.Storage;
using U7s.S3;
using U7s.S3.Registry;
using U7s.Testing;

namespace U7s.Registry.Tests.Storage;

/// <summary>The blob store contract on the real S3 server; <see cref="Reopen"/> is another replica with its own client.</summary>
[RequiresS3]
public sealed class S3BlobStoreTests : BlobStoreContract, IAsyncLifetime
{
    private readonly List<S3Bucket> _replicas = [];
    private S3TestStore? _s3;
    private S3BlobStore? _store;

    protected override IBlobStore Store => _store ?? throw new InvalidOperationException("not initialised");

    protected override IBlobStore Reopen()
    {
        var replica = _s3!.OpenReplica();
        _replicas.Add(replica);
        return new S3BlobStore(replica, _s3.Options, Clock);
    }

    public async Task InitializeAsync()
    {
        _s3 = await S3TestStore.CreateAsync();
        _store = new S3BlobStore(_s3.Bucket, _s3.Options, Clock);
    }

    public async Task DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            replica.Client.Dispose();
        }

        if (_s3 is not null)
        {
            await _s3.DisposeAsync();
        }
    }
}
