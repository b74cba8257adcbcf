using U7s.Loader.Loading;
using U7s.Oci;

namespace U7s.Loader.Registry;

/// <summary>An <see cref="IImageSink"/> that pushes to any OCI registry through <see cref="RegistryClient"/>.</summary>
internal sealed class RegistryHttpSink(RegistryClient client) : IImageSink
{
    public async Task<bool> HasBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        await client.BlobSizeOrNullAsync(repository, digest, cancellationToken) is not null;

    public Task PutBlobAsync(RepositoryName repository, Digest digest, long size, Stream content, CancellationToken cancellationToken) =>
        client.UploadBlobAsync(repository, digest, size, content, cancellationToken);

    public Task<bool> TryLinkBlobAsync(RepositoryName repository, Digest digest, RepositoryName source, CancellationToken cancellationToken) =>
        client.TryMountBlobAsync(repository, digest, source, cancellationToken);

    public Task<Stream> OpenBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        client.OpenBlobAsync(repository, digest, cancellationToken);

    public Task<Digest> PutManifestAsync(RepositoryName repository, string reference, ReadOnlyMemory<byte> content, string mediaType, CancellationToken cancellationToken) =>
        client.PutManifestAsync(repository, reference, content, mediaType, cancellationToken);
}
