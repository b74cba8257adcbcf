using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using U7s.Registry.Storage;
using U7s.S3;
using U7s.S3.Registry;
using U7s.Testing;

namespace U7s.Registry.Tests.Storage;

/// <summary>The S3 backend in a fresh prefix of the real S3 server; each <see cref="Open"/> is another replica with its own client.</summary>
public sealed class S3TestStorage : TestStorage
{
    private static readonly S3RegistryLockOptions LockOptions = new() { Poll = TimeSpan.FromMilliseconds(20) };
    private readonly List<S3Bucket> _replicas = [];
    private readonly S3TestStore _s3;

    private S3TestStorage(S3TestStore s3) => _s3 = s3;

    public static async Task<S3TestStorage> CreateAsync() => new(await S3TestStore.CreateAsync());

    public override void AddTo(IServiceCollection services, TimeProvider clock)
    {
        var view = Open(clock);
        services.AddSingleton(clock);
        services.AddSingleton(view.Blobs);
        services.AddSingleton(view.Metadata);
        services.AddSingleton(view.Lock);
    }

    public override StorageView Open(TimeProvider clock)
    {
        var bucket = _s3.OpenReplica();
        _replicas.Add(bucket);
        return new StorageView(
            new S3BlobStore(bucket, _s3.Options, clock),
            new S3MetadataStore(bucket),
            new S3RegistryLock(bucket, TimeProvider.System, LockOptions, NullLogger<S3RegistryLock>.Instance));
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            replica.Client.Dispose();
        }

        await _s3.DisposeAsync();
    }
}
