using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using U7s.Server.Storage;
using U7s.Oci;
using U7s.Registry;
using U7s.Registry.Manifests;
using U7s.Registry.Storage;
using U7s.S3;
using U7s.S3.Registry;
using U7s.Sigstore.Manifests;
using U7s.Testing;

namespace U7s.Cli.Tests.Loading;

/// <summary>
/// The manifest source contract read straight from the registry's store, as <c>serve</c>'s signature uploads and
/// <c>load-sign-oci --data</c> read it.
/// </summary>
public sealed class LocalManifestSourceContractTests : ManifestSourceContract
{
    private HostileServer? _silent;
    private S3Bucket? _bucket;
    private ServiceProvider? _services;

    protected override IManifestSource Source => new LocalManifestSource(Manifests);

    [Fact]
    public async Task DamagedAtRest_ByTag_IsAFailure_Too()
    {
        var (manifest, digest) = await PushImageAsync("app", "v1", MediaTypes.OciManifest);
        var stored = Path.Combine(DataRoot, "blobs", "sha256", digest.Hex[..2], digest.Hex);
        File.SetUnixFileMode(stored, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await File.WriteAllBytesAsync(stored, manifest.Reverse().ToArray());

        var e = await Assert.ThrowsAsync<ManifestSourceException>(() => Source.GetManifestOrNullAsync(Reference.Parse("registry.local/app:v1"), default));

        Assert.Contains($"stored as {digest}", e.Message, StringComparison.Ordinal);
    }

    public override async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        _bucket?.Dispose();
        if (_silent is not null)
        {
            await _silent.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    /// <summary>The registry's stores on an S3 endpoint that takes requests and never answers.</summary>
    protected override async Task<IManifestSource> UnreachableAsync()
    {
        _silent = await HostileServer.StartAsync(s => s.Map("/{**path}", async context =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        }));
        _bucket = new S3Bucket(
            new AmazonS3Client(new BasicAWSCredentials("access", "secret"), new AmazonS3Config { ServiceURL = _silent.BaseAddress.ToString(), ForcePathStyle = true, AuthenticationRegion = "us-east-1" }),
            "u7s",
            string.Empty,
            TimeSpan.FromMilliseconds(300));
        var services = _services = new ServiceCollection()
            .AddSingleton<IBlobStore>(new S3BlobStore(_bucket, new S3StorageOptions { Bucket = "u7s" }, TimeProvider.System))
            .AddSingleton<IMetadataStore>(new S3MetadataStore(_bucket))
            .AddSingleton<IRegistryLock>(new S3RegistryLock(_bucket, TimeProvider.System, new S3RegistryLockOptions(), NullLogger<S3RegistryLock>.Instance))
            .AddLogging()
            .AddRegistry(new RegistryOptions { DataRoot = DataRoot })
            .BuildServiceProvider();
        return new LocalManifestSource(services.GetRequiredService<ManifestService>());
    }
}
