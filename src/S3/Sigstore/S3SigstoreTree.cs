using U7s.Sigstore.Store;

namespace U7s.S3.Sigstore;

/// <summary>
/// The served tree in a bucket, so replicas share signatures and published keys: the path <c>p</c> is
/// the key <c>sigstore/p</c> under the bucket's prefix:
/// <code>
/// sigstore/index.html
/// sigstore/keys/&lt;user&gt;.pgp, sigstore/keys/policy.json
/// sigstore/sigstore/&lt;repo&gt;@sha256=&lt;hex&gt;/signature-N
/// </code>
/// Create-if-absent is a conditional PUT (<c>If-None-Match: *</c>, atomic on radosgw and AWS); replace is a
/// plain PUT (S3 never shows half an object). Directories are implied by key prefixes: one exists while
/// any key lies below it, and vanishes with its last file. S3 keeps no time for a prefix, so listings give
/// subdirectories the time of the listing (nodes read only the names); files keep their object's time.
/// </summary>
public sealed class S3SigstoreTree(S3Bucket bucket, TimeProvider? time = null) : ISigstoreTree
{
    /// <summary>The key prefix of the tree inside the bucket's prefix.</summary>
    public const string KeyPrefix = "sigstore/";

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The object key (relative to the bucket's prefix) of <paramref name="path"/>.</summary>
    public static string KeyOf(string path) => KeyPrefix + SigstoreTreePath.Check(path);

    public async ValueTask<SigstoreTreeFile?> OpenFileOrNullAsync(string path, CancellationToken cancellationToken)
    {
        if (SigstoreTreePath.Check(path).Length == 0)
        {
            return null;
        }

        // One GET: no HEAD first, the response carries the length and the time.
        var response = await bucket.GetOrNullAsync(KeyOf(path), 0, null, cancellationToken);
        return response is null ? null : new S3TreeFile(response);
    }

    public async Task<byte[]?> ReadAllOrNullAsync(string path, int maxBytes, CancellationToken cancellationToken) =>
        SigstoreTreePath.Check(path).Length == 0 ? null : await bucket.ReadAllOrNullAsync(KeyOf(path), maxBytes, cancellationToken);

    public async ValueTask<bool> DirectoryExistsAsync(string path, CancellationToken cancellationToken) =>
        SigstoreTreePath.Check(path).Length == 0 || await bucket.AnyUnderAsync(DirectoryPrefix(path), cancellationToken);

    public async Task<IReadOnlyList<SigstoreTreeEntry>?> ListDirectoryOrNullAsync(string path, CancellationToken cancellationToken)
    {
        var prefix = DirectoryPrefix(path);
        var (directories, objects) = await bucket.ListDirectoryAsync(prefix, cancellationToken);
        var now = _time.GetUtcNow();
        var entries = directories.Where(d => d.Length > 0).Select(d => new SigstoreTreeEntry(d, IsDirectory: true, now, Length: null))

            // A key ending in '/' (a "folder" some S3 tools create) names no file.
            .Concat(objects.Where(o => o.Key.Length > prefix.Length).Select(o => new SigstoreTreeEntry(o.Key[prefix.Length..], IsDirectory: false, o.LastModified, o.Length)))
            .ToList();

        // The root always exists (an empty store still answers "/" with an empty listing, as an empty directory would).
        return directories.Count == 0 && objects.Count == 0 && path.Length > 0 ? null : entries;
    }

    public Task<bool> CreateIfAbsentAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        bucket.PutIfAbsentAsync(FileKey(path), content, cancellationToken);

    public Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        bucket.PutAsync(FileKey(path), content, cancellationToken);

    public Task DeleteAsync(string path, CancellationToken cancellationToken) =>
        bucket.DeleteAsync(FileKey(path), cancellationToken);

    private static string DirectoryPrefix(string path) => SigstoreTreePath.Check(path).Length == 0 ? KeyPrefix : KeyPrefix + path + "/";

    private static string FileKey(string path) =>
        SigstoreTreePath.Check(path).Length == 0 ? throw new ArgumentException("the root is a directory, not a file", nameof(path)) : KeyPrefix + path;
}
