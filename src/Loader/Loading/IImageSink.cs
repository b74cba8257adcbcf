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
    /// Stores a blob read from <paramref name="content"/> (read once, forward only, to its end).
    /// MUST verify size and digest and MUST NOT make the blob visible unless both match; a read
    /// error of <paramref name="content"/> aborts the store.
    /// </summary>
    Task PutBlobAsync(RepositoryName repository, Digest digest, long size, Stream content, CancellationToken cancellationToken);

    /// <summary>
    /// Makes a blob that <paramref name="source"/> already serves available in
    /// <paramref name="repository"/> without sending it again. Returns false when the sink cannot;
    /// the caller then sends the content.
    /// </summary>
    Task<bool> TryLinkBlobAsync(RepositoryName repository, Digest digest, RepositoryName source, CancellationToken cancellationToken);

    /// <summary>Opens a blob <paramref name="repository"/> serves, for re-sending; the caller disposes it.</summary>
    Task<Stream> OpenBlobAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken);

    /// <summary>
    /// Stores manifest bytes exactly as given with their media type under <paramref name="reference"/>
    /// (a tag or the manifest's own digest). MUST fail when a referenced blob or child manifest is absent.
    /// Returns the digest the sink computed for the bytes.
    /// </summary>
    Task<Digest> PutManifestAsync(RepositoryName repository, string reference, ReadOnlyMemory<byte> content, string mediaType, CancellationToken cancellationToken);
}
