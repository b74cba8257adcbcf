using U7s.Oci;

namespace U7s.Registry.Storage;

/// <summary>
/// The on-disk layout of the filesystem storage, in one place:
/// <code>
/// &lt;root&gt;/
/// ├── gc.lock, gc.gate                                  the registry lock (<see cref="FileRegistryLock"/>)
/// ├── blobs/sha256/&lt;2 hex&gt;/&lt;64 hex&gt;                 content, written once, never modified
/// ├── uploads/&lt;32 hex id&gt;/data                      bytes received so far
/// ├── uploads/&lt;32 hex id&gt;/info                      repository the upload belongs to
/// ├── uploads/.put-&lt;32 hex&gt;                          temp file of a write in progress, renamed into place
/// └── repositories/&lt;name&gt;/                          name components never start with '_'
///     ├── _blobs/sha256/&lt;64 hex&gt;                     empty: the blob is readable in this repository
///     ├── _manifests/sha256/&lt;64 hex&gt;                 media type of a manifest of this repository
///     ├── _tags/&lt;tag&gt;                                  digest the tag points to
///     └── _referrers/sha256/&lt;subject hex&gt;/sha256-&lt;hex&gt;  descriptor JSON of a manifest with that subject
/// </code>
/// Temporary files start with '.', which no digest, tag or name component can, so listings skip them; all of
/// them are written under uploads/, where the janitor removes what a crash left.
/// </summary>
internal sealed class StoragePaths(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    public string Blobs => Path.Combine(Root, "blobs");

    public string Uploads => Path.Combine(Root, "uploads");

    public string Repositories => Path.Combine(Root, "repositories");

    public string Blob(Digest digest) => Path.Combine(Blobs, digest.Algorithm, digest.Hex[..2], digest.Hex);

    public string Upload(string id) => Path.Combine(Uploads, id);

    public string Repository(RepositoryName name) => Path.Combine(Repositories, name.Value);

    public string BlobLink(RepositoryName name, Digest digest) => Path.Combine(Repository(name), "_blobs", digest.Algorithm, digest.Hex);

    public string ManifestLinks(RepositoryName name) => Path.Combine(Repository(name), "_manifests");

    public string ManifestLink(RepositoryName name, Digest digest) => Path.Combine(ManifestLinks(name), digest.Algorithm, digest.Hex);

    public string Tags(RepositoryName name) => Path.Combine(Repository(name), "_tags");

    public string Tag(RepositoryName name, Tag tag) => Path.Combine(Tags(name), tag.Value);

    public string Referrers(RepositoryName name, Digest subject) => Path.Combine(Repository(name), "_referrers", subject.Algorithm, subject.Hex);

    public string Referrer(RepositoryName name, Digest subject, Digest referrer) =>
        Path.Combine(Referrers(name, subject), $"{referrer.Algorithm}-{referrer.Hex}");
}
