using U7s.Loader.Registry;
using U7s.Oci;
using U7s.Registry.Manifests;
using U7s.Registry.Storage;

namespace U7s.Loader.Loading;

/// <summary>
/// An <see cref="IImageSink"/> that writes straight into the registry's own store on this host: no
/// HTTP, the same two-phase upload (hash while streaming, verify, rename) and the same manifest checks
/// as a push, so what the loader publishes is exactly what a push would have.
/// </summary>
internal sealed class LocalStoreSink(IBlobStore blobs, IMetadataStore metadata, ManifestService manifests) : IImageSink
{
    public async Task<bool> HasBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        await metadata.IsBlobLinkedAsync(repository, digest, cancellationToken)
        && await blobs.GetSizeOrNullAsync(digest, cancellationToken) is not null;

    public async Task PutBlobAsync(RepositoryName repository, Digest digest, long size, Stream content, CancellationToken cancellationToken)
    {
        var upload = await blobs.StartUploadAsync(repository, cancellationToken);
        try
        {
            var length = await upload.AppendAsync(content, size, cancellationToken);
            if (length != size)
            {
                throw new RegistryException($"blob {digest} has {length} bytes, not {size}");
            }

            await upload.CommitAsync(digest, cancellationToken);
        }
        catch (OciException e)
        {
            await upload.CancelAsync(CancellationToken.None);
            throw new RegistryException($"blob {digest}: {e.Message}", null, OciErrorCodes.Name(e.Code), e);
        }
        catch
        {
            await upload.CancelAsync(CancellationToken.None);
            throw;
        }

        await metadata.LinkBlobAsync(repository, digest, cancellationToken);
    }

    public async Task<bool> TryLinkBlobAsync(RepositoryName repository, Digest digest, RepositoryName source, CancellationToken cancellationToken)
    {
        if (!await metadata.IsBlobLinkedAsync(source, digest, cancellationToken) || await blobs.GetSizeOrNullAsync(digest, cancellationToken) is null)
        {
            return false;
        }

        await blobs.TouchAsync(digest, cancellationToken);
        await metadata.LinkBlobAsync(repository, digest, cancellationToken);
        return true;
    }

    public async Task<Stream> OpenBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken)
    {
        var content = await metadata.IsBlobLinkedAsync(repository, digest, cancellationToken)
            ? await blobs.OpenReadOrNullAsync(digest, cancellationToken)
            : null;
        return content?.Stream ?? throw new RegistryException($"blob {digest} is not in {repository}");
    }

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
}
