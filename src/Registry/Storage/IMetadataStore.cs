using U7s.Oci;

namespace U7s.Registry.Storage;

/// <summary>
/// Per-repository links to content: which blobs and manifests a repository holds, its tags, and the
/// referrers of its manifests. Links only name digests; content lives in <see cref="IBlobStore"/>. A failure of
/// the store itself is an <see cref="IOException"/> (a remote store's a <see cref="StorageException"/>), as for
/// <see cref="IBlobStore"/>.
/// </summary>
public interface IMetadataStore
{
    /// <summary>Makes the blob readable in the repository. Idempotent.</summary>
    Task LinkBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken);

    Task<bool> IsBlobLinkedAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken);

    /// <summary>Removes the link; false when there was none.</summary>
    Task<bool> UnlinkBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken);

    /// <summary>Records that the repository holds a manifest of this media type. Idempotent.</summary>
    Task PutManifestAsync(RepositoryName repository, Digest digest, string mediaType, CancellationToken cancellationToken);

    /// <summary>The media type of the repository's manifest, or null when the repository does not hold it.</summary>
    Task<string?> GetManifestMediaTypeOrNullAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken);

    /// <summary>Removes the manifest link; false when there was none. Tags and referrers are the caller's.</summary>
    Task<bool> DeleteManifestAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken);

    /// <summary>Every manifest digest the repository holds.</summary>
    IAsyncEnumerable<Digest> ListManifestsAsync(RepositoryName repository, CancellationToken cancellationToken);

    /// <summary>
    /// Points the tag at the digest, atomically replacing any previous target; a tag already at that digest is left as
    /// it is, so <see cref="GetTagTimeOrNullAsync"/> stays the time the tag got it.
    /// </summary>
    Task SetTagAsync(RepositoryName repository, Tag tag, Digest digest, CancellationToken cancellationToken);

    Task<Digest?> ResolveTagOrNullAsync(RepositoryName repository, Tag tag, CancellationToken cancellationToken);

    /// <summary>When the tag got its present digest in this repository (its record's time in the store); null when there is no such tag.</summary>
    Task<DateTimeOffset?> GetTagTimeOrNullAsync(RepositoryName repository, Tag tag, CancellationToken cancellationToken);

    /// <summary>Removes the tag; false when there was none.</summary>
    Task<bool> DeleteTagAsync(RepositoryName repository, Tag tag, CancellationToken cancellationToken);

    /// <summary>The repository's tags in ordinal order; null when the repository does not exist.</summary>
    Task<IReadOnlyList<string>?> ListTagsOrNullAsync(RepositoryName repository, CancellationToken cancellationToken);

    /// <summary>Every repository that holds at least one manifest, in ordinal order.</summary>
    Task<IReadOnlyList<string>> ListRepositoriesAsync(CancellationToken cancellationToken);

    /// <summary>Records <paramref name="referrer"/> (a manifest's descriptor) as pointing at <paramref name="subject"/>.</summary>
    Task AddReferrerAsync(RepositoryName repository, Digest subject, Descriptor referrer, CancellationToken cancellationToken);

    Task RemoveReferrerAsync(RepositoryName repository, Digest subject, Digest referrer, CancellationToken cancellationToken);

    /// <summary>The descriptors of every manifest whose subject is <paramref name="subject"/>.</summary>
    Task<IReadOnlyList<Descriptor>> ListReferrersAsync(RepositoryName repository, Digest subject, CancellationToken cancellationToken);
}
