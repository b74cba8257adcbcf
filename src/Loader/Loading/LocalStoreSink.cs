using U7s.Loader.Registry;
using U7s.Oci;
using U7s.Registry.Blobs;
using U7s.Registry.Manifests;

namespace U7s.Loader.Loading;

/// <summary>
/// An <see cref="IImageSink"/> that writes straight into the registry's own store on this host: no
/// HTTP, but the registry's own blob and manifest services (hash while streaming, verify, rename;
/// the same manifest checks and locks as a push), so what the loader publishes is exactly what a
/// push would have.
/// </summary>
internal sealed class LocalStoreSink(BlobService blobs, ManifestService manifests) : IImageSink
{
    public Task<bool> HasBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        blobs.HasAsync(repository, digest, cancellationToken);

    public async Task<ISinkUpload?> MountOrBeginBlobAsync(RepositoryName repository, Digest digest, RepositoryName? from, CancellationToken cancellationToken) =>
        await blobs.TryMountAsync(repository, digest, from, cancellationToken) is null ? new Upload(blobs, repository, digest) : null;

    public async Task<Stream> OpenBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        (await blobs.OpenOrNullAsync(repository, digest, cancellationToken))?.Stream
        ?? throw new RegistryException($"blob {digest} is not in {repository}");

    public async Task<Digest> PutManifestAsync(RepositoryName repository, string reference, ReadOnlyMemory<byte> content, string mediaType, CancellationToken cancellationToken)
    {
        try
        {
            return (await manifests.PutAsync(repository, reference, content, mediaType, cancellationToken)).Digest;
        }
        catch (OciException e)
        {
            throw new RegistryException($"manifest {repository}:{reference}: {e.Message}", null, OciErrorCodes.Name(e.Code), e);
        }
    }

    private sealed class Upload(BlobService blobs, RepositoryName repository, Digest digest) : ISinkUpload
    {
        public async Task CompleteAsync(long size, Stream content, CancellationToken cancellationToken)
        {
            try
            {
                await blobs.PutWholeAsync(repository, content, size, digest, cancellationToken);
            }
            catch (OciException e)
            {
                throw new RegistryException($"blob {digest}: {e.Message}", null, OciErrorCodes.Name(e.Code), e);
            }
        }

        // PutWholeAsync is one call: nothing is pending until it runs, and it cleans up after itself.
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
