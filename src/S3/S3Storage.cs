using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using U7s.Oci;
using U7s.Registry.Storage;
using U7s.S3.Registry;
using U7s.S3.Sigstore;
using U7s.Sigstore.Store;

namespace U7s.S3;

/// <summary>
/// The S3 backend of one process: one client and bucket, over which the registry's blobs, links and gc
/// lock and the signature store's tree all live. Replicas configured with the same bucket and prefix
/// share everything; nothing they need is kept on local disk.
/// </summary>
public sealed class S3Storage : IDisposable
{
    public S3Storage(S3StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Bucket = S3Bucket.Open(options);
        Tree = new S3SigstoreTree(Bucket);
    }

    public S3StorageOptions Options { get; }

    public S3Bucket Bucket { get; }

    /// <summary>The signature store's tree (<c>sigstore/…</c> in the bucket).</summary>
    public ISigstoreTree Tree { get; }

    /// <summary>Where the store lives, for messages: <c>s3://bucket/prefix at endpoint</c>.</summary>
    public string Describe() => Bucket.Describe();

    /// <summary>
    /// Checks the store answers and creates the bucket if it is missing; throws <see cref="StorageException"/>
    /// with a one-line reason otherwise, so a misconfigured replica refuses to start instead of failing every request.
    /// </summary>
    public async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Asked first, so a replica without keys says so instead of quoting every source the SDK tried.
            _ = await Amazon.Runtime.Credentials.DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync();
        }
        catch (Amazon.Runtime.AmazonClientException e)
        {
            throw new StorageException(
                StorageFailure.Refused,
                $"no credentials for {Describe()}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE and ~/.aws/credentials)",
                e);
        }

        await Bucket.EnsureExistsAsync(cancellationToken);
    }

    /// <summary>Registers the registry's storage on S3; call before <c>AddRegistry</c>, which only fills in what is missing.</summary>
    public IServiceCollection AddRegistryStorage(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IBlobStore>(sp => new S3BlobStore(Bucket, Options, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IMetadataStore>(_ => new S3MetadataStore(Bucket));
        services.AddSingleton<IStorageProbe>(new S3StorageProbe(Bucket));
        services.AddSingleton<IRegistryLock>(sp => new S3RegistryLock(
            Bucket,
            sp.GetRequiredService<TimeProvider>(),
            new S3RegistryLockOptions(),
            sp.GetService<ILoggerFactory>()?.CreateLogger<S3RegistryLock>() ?? NullLogger<S3RegistryLock>.Instance));
        return services;
    }

    public void Dispose() => Bucket.Dispose();
}
