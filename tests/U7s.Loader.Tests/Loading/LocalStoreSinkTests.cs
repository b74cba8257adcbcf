using U7s.Loader.Loading;
using U7s.Registry;
using U7s.Registry.Blobs;
using U7s.Registry.Manifests;
using U7s.Registry.Storage;
using U7s.Testing;

namespace U7s.Loader.Tests.Loading;

/// <summary>The local-store sink passes the same contract as the HTTP sink, over a real filesystem store.</summary>
public sealed class LocalStoreSinkTests : ImageSinkContract, IDisposable
{
    private readonly TempDirectory _root = new("u7s-local-sink");

    internal override IImageSink CreateSink()
    {
        var paths = new StoragePaths(_root.Path);
        var blobs = new FileSystemBlobStore(paths, TimeProvider.System);
        var metadata = new FileSystemMetadataStore(paths);
        var options = new RegistryOptions { DataRoot = _root.Path };
        var registryLock = new FileRegistryLock(paths);
        var manifests = new ManifestService(blobs, metadata, registryLock, options);
        return new LocalStoreSink(new BlobService(blobs, metadata, registryLock, new UploadQuota(options), new RegistryMetrics(), options), manifests);
    }

    public void Dispose() => _root.Dispose();
}
