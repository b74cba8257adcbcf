using U7s.Oci;

namespace U7s.Loader.Loading;

/// <summary>
/// Where loaded images go: a remote registry over HTTP or the local registry store. Blobs and
/// manifests are stored byte-exact, so the digests the archive names are the digests served.
/// </summary>
internal interface IImageSink
{
    /// <summary>True when <paramref name="repository"/> can already serve the blob; the loader then sends nothing.</summary>
    Task<bool> HasBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken);

    /// <summary>
    /// Starts storing a blob in <paramref name="repository"/>. When the sink can make the blob
    /// available there without its bytes, it MUST do so and return null: mounted from
    /// <paramref name="from"/>, or, when that is null, from wherever the sink already holds it.
    /// Otherwise it returns an upload that the caller completes with the content or disposes to cancel.
    /// </summary>
    Task<ISinkUpload?> MountOrBeginBlobAsync(RepositoryName repository, Digest digest, RepositoryName? from, CancellationToken cancellationToken);

    /// <summary>Opens a blob <paramref name="repository"/> serves, for re-sending; the caller disposes it.</summary>
    Task<Stream> OpenBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken);

    /// <summary>
    /// Stores manifest bytes exactly as given with their media type under <paramref name="reference"/>
    /// (a tag or the manifest's own digest). MUST fail when a referenced blob or child manifest is absent.
    /// Returns the digest the sink computed for the bytes.
    /// </summary>
    Task<Digest> PutManifestAsync(RepositoryName repository, string reference, ReadOnlyMemory<byte> content, string mediaType, CancellationToken cancellationToken);
}
