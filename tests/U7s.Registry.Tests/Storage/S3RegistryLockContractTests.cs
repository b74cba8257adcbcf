using Microsoft.Extensions.Logging.Abstractions;
using U7s.Registry.Storage;
using U7s.S3;
using U7s.S3.Registry;
using U7s.Testing;

namespace U7s.Registry.Tests.Storage;

/// <summary>The lock contract on the real S3 server, each lock over its own client as a separate replica's would be.</summary>
[RequiresS3]
public sealed class S3RegistryLockContractTests : RegistryLockContract, IAsyncLifetime
{
    /// <summary>Quick polls; a drain wait no test here reaches, so no collection steps back.</summary>
    private static readonly S3RegistryLockOptions Options = new() { Poll = TimeSpan.FromMilliseconds(50), DrainWait = TimeSpan.FromSeconds(5) };

    private readonly List<S3Bucket> _replicas = [];
    private S3TestStore? _s3;

    public async Task InitializeAsync() => _s3 = await S3TestStore.CreateAsync();

    public async Task DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            replica.Dispose();
        }

        if (_s3 is not null)
        {
            await _s3.DisposeAsync();
        }
    }

    protected override IRegistryLock OpenLock()
    {
        var bucket = _s3!.OpenReplica();
        _replicas.Add(bucket);
        return new S3RegistryLock(bucket, TimeProvider.System, Options, NullLogger<S3RegistryLock>.Instance);
    }
}
