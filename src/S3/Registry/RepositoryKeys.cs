using U7s.Oci;

namespace U7s.S3.Registry;

/// <summary>
/// The bucket layout of repository metadata, in one place (keys relative to the store's prefix):
/// <code>
/// registry/repositories/&lt;name&gt;/                               name components never start with '_'
/// ├── _layers/&lt;alg&gt;/&lt;hex&gt;                                    empty: the blob is readable in this repository
/// ├── _manifests/&lt;alg&gt;/&lt;hex&gt;                                 media type of a manifest of this repository
/// ├── _tags/&lt;tag&gt;                                            digest the tag points to
/// └── _referrers/&lt;alg&gt;/&lt;subject hex&gt;/&lt;alg&gt;/&lt;hex&gt;             descriptor JSON of a manifest with that subject
/// </code>
/// Every tag, link and referrer is an object of its own, so replicas writing different ones at the same
/// time never overwrite each other (there is no shared list to read, modify and write back). The OCI
/// name grammar lets no component start with '_', so <c>a/_tags/…</c> can never be a nested repository.
/// </summary>
internal static class RepositoryKeys
{
    public const string Root = "registry/repositories/";

    /// <summary>The "directory" of a repository (or of the root for the empty name), ending in '/'.</summary>
    public static string Directory(string name) => name.Length == 0 ? Root : $"{Root}{name}/";

    /// <summary>Keys under this prefix belong to the repository itself, never to a nested one.</summary>
    public static string Own(RepositoryName name) => $"{Directory(name.Value)}_";

    public static string BlobLink(RepositoryName name, Digest digest) => $"{Directory(name.Value)}_layers/{digest.Algorithm}/{digest.Hex}";

    public static string ManifestLinks(RepositoryName name) => $"{Directory(name.Value)}_manifests/";

    public static string ManifestLink(RepositoryName name, Digest digest) => $"{ManifestLinks(name)}{digest.Algorithm}/{digest.Hex}";

    public static string Tags(RepositoryName name) => $"{Directory(name.Value)}_tags/";

    public static string Tag(RepositoryName name, Tag tag) => Tags(name) + tag.Value;

    public static string Referrers(RepositoryName name, Digest subject) => $"{Directory(name.Value)}_referrers/{subject.Algorithm}/{subject.Hex}/";

    public static string Referrer(RepositoryName name, Digest subject, Digest referrer) => $"{Referrers(name, subject)}{referrer.Algorithm}/{referrer.Hex}";

    /// <summary>The digest a <c>…/&lt;alg&gt;/&lt;hex&gt;</c> key names, if it names one.</summary>
    public static bool TryParseDigestKey(string key, out Digest digest)
    {
        var hexStart = key.LastIndexOf('/');
        var algorithmStart = hexStart > 0 ? key.LastIndexOf('/', hexStart - 1) : -1;
        digest = default;
        return algorithmStart >= 0 && Digest.TryParse($"{key[(algorithmStart + 1)..hexStart]}:{key[(hexStart + 1)..]}", out digest);
    }
}
