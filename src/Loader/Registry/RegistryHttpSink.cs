using U7s.Loader.Loading;
using U7s.Oci;

namespace U7s.Loader.Registry;

/// <summary>
/// An <see cref="IImageSink"/> that pushes to any OCI registry through <see cref="RegistryClient"/>.
/// Every blob upload starts as a cross-repository mount, so a registry that already holds the blob
/// (U7s mounts from any repository; docker-registry only from the one named) links it without a
/// byte sent, and one that does not answers with the upload the content then goes to.
/// </summary>
internal sealed class RegistryHttpSink(RegistryClient client) : IImageSink
{
    public async Task<bool> HasBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        await client.BlobSizeOrNullAsync(repository, digest, cancellationToken) is not null;

    public async Task<ISinkUpload?> MountOrBeginBlobAsync(RepositoryName repository, Digest digest, RepositoryName? from, CancellationToken cancellationToken) =>
        await client.MountOrStartUploadAsync(repository, digest, from, cancellationToken) is { } location
            ? new Upload(client, location, digest)
            : null;

    public Task<Stream> OpenBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        client.OpenBlobAsync(repository, digest, cancellationToken);

    public Task<Digest> PutManifestAsync(RepositoryName repository, string reference, ReadOnlyMemory<byte> content, string mediaType, CancellationToken cancellationToken) =>
        client.PutManifestAsync(repository, reference, content, mediaType, cancellationToken);

    private sealed class Upload(RegistryClient client, Uri location, Digest digest) : ISinkUpload
    {
        private bool _done;

        public async Task CompleteAsync(long size, Stream content, CancellationToken cancellationToken)
        {
            await client.CompleteUploadAsync(location, digest, size, content, cancellationToken);
            _done = true;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_done)
            {
                try
                {
                    await client.CancelUploadAsync(location, CancellationToken.None);
                }
                catch (RegistryException)
                {
                    // The registry expires abandoned uploads itself.
                }
            }
        }
    }
}
