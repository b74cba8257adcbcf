using U7s.Oci;

namespace U7s.Registry.Storage;

/// <summary>
/// Any <see cref="IMetadataStore"/> backend, raising a <see cref="StoreChange"/> on <paramref name="changes"/> for every
/// manifest and tag it commits, once the backend's call has returned (the change is visible). One wrapper for every
/// backend, so none can forget to raise; the registry's one storage setup (<see cref="RegistryServiceCollectionExtensions.AddRegistry"/>)
/// puts it around whichever backend is registered. Blob links and referrers raise nothing: they change no verdict
/// and no row of the status page.
/// </summary>
public sealed class ObservedMetadataStore(IMetadataStore inner, StoreChangeFeed changes) : IMetadataStore
{
    /// <summary>The backend underneath.</summary>
    public IMetadataStore Inner => inner;

    public Task LinkBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        inner.LinkBlobAsync(repository, digest, cancellationToken);

    public Task<bool> IsBlobLinkedAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        inner.IsBlobLinkedAsync(repository, digest, cancellationToken);

    public Task<bool> UnlinkBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        inner.UnlinkBlobAsync(repository, digest, cancellationToken);

    public async Task PutManifestAsync(RepositoryName repository, Digest digest, string mediaType, CancellationToken cancellationToken)
    {
        await inner.PutManifestAsync(repository, digest, mediaType, cancellationToken);
        changes.Raise(new StoreChange(StoreChangeKind.ManifestPut, repository, digest));
    }

    public Task<string?> GetManifestMediaTypeOrNullAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken) =>
        inner.GetManifestMediaTypeOrNullAsync(repository, digest, cancellationToken);

    public async Task<bool> DeleteManifestAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken)
    {
        var deleted = await inner.DeleteManifestAsync(repository, digest, cancellationToken);
        if (deleted)
        {
            changes.Raise(new StoreChange(StoreChangeKind.ManifestDelete, repository, digest));
        }

        return deleted;
    }

    public IAsyncEnumerable<Digest> ListManifestsAsync(RepositoryName repository, CancellationToken cancellationToken) =>
        inner.ListManifestsAsync(repository, cancellationToken);

    public async Task SetTagAsync(RepositoryName repository, Tag tag, Digest digest, CancellationToken cancellationToken)
    {
        await inner.SetTagAsync(repository, tag, digest, cancellationToken);
        changes.Raise(new StoreChange(StoreChangeKind.TagSet, repository, digest, tag));
    }

    public Task<Digest?> ResolveTagOrNullAsync(RepositoryName repository, Tag tag, CancellationToken cancellationToken) =>
        inner.ResolveTagOrNullAsync(repository, tag, cancellationToken);

    public Task<DateTimeOffset?> GetTagTimeOrNullAsync(RepositoryName repository, Tag tag, CancellationToken cancellationToken) =>
        inner.GetTagTimeOrNullAsync(repository, tag, cancellationToken);

    public async Task<bool> DeleteTagAsync(RepositoryName repository, Tag tag, CancellationToken cancellationToken)
    {
        var deleted = await inner.DeleteTagAsync(repository, tag, cancellationToken);
        if (deleted)
        {
            changes.Raise(new StoreChange(StoreChangeKind.TagDelete, repository, null, tag));
        }

        return deleted;
    }

    public Task<IReadOnlyList<string>?> ListTagsOrNullAsync(RepositoryName repository, CancellationToken cancellationToken) =>
        inner.ListTagsOrNullAsync(repository, cancellationToken);

    public Task<IReadOnlyList<string>> ListRepositoriesAsync(CancellationToken cancellationToken) =>
        inner.ListRepositoriesAsync(cancellationToken);

    public Task AddReferrerAsync(RepositoryName repository, Digest subject, Descriptor referrer, CancellationToken cancellationToken) =>
        inner.AddReferrerAsync(repository, subject, referrer, cancellationToken);

    public Task RemoveReferrerAsync(RepositoryName repository, Digest subject, Digest referrer, CancellationToken cancellationToken) =>
        inner.RemoveReferrerAsync(repository, subject, referrer, cancellationToken);

    public Task<IReadOnlyList<Descriptor>> ListReferrersAsync(RepositoryName repository, Digest subject, CancellationToken cancellationToken) =>
        inner.ListReferrersAsync(repository, subject, cancellationToken);
}
