using System.Runtime.CompilerServices;
using U7s.Oci;

namespace U7s.Sigstore.Store;

/// <summary>
/// The lookaside signature tree on disk (SPEC §2.4), the same tree podsec and
/// <c>podman push --sign-by</c> with a <c>file://</c> staging lookaside write:
/// <code>
/// &lt;root&gt;/                                  /var/sigstore/sigstore
/// └── &lt;repository path&gt;@&lt;alg&gt;=&lt;hex&gt;/     2775 (setgid: every imagemaker adds siblings)
///     ├── signature-1 … signature-N            0644, N decimal from 1, no gaps
///     └── .u7s-tmp-&lt;random&gt;                  a write in flight (never named signature-*)
/// </code>
/// Appends are create-new (link(2), never overwrite) at the first free index; readers stop at the
/// first gap, so deleting renumbers the rest down.
/// </summary>
public sealed class SignatureStore
{
    /// <summary>containers/image reads at most this many signatures per image.</summary>
    public const int MaxSignatures = 128;

    /// <summary>containers/image reads at most this many bytes per signature.</summary>
    public const int MaxSignatureBytes = 4 * 1024 * 1024;

    private const string SignaturePrefix = "signature-";
    private const UnixFileMode DirectoryMode = UnixFileMode.SetGroup | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode SignatureFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public SignatureStore(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The directory that holds repository paths (<c>/var/sigstore/sigstore</c>).</summary>
    public string Root { get; }

    /// <summary>
    /// The one path builder of the lookaside layout: <c>&lt;repo&gt;@&lt;alg&gt;=&lt;hex&gt;/signature-&lt;index&gt;</c>,
    /// relative to the store root and to the lookaside base URL alike. The repository excludes the
    /// registry host (SPEC §2.4).
    /// </summary>
    public static string RelativePath(RepositoryName repository, Digest digest, int index)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(index, 1);
        return $"{RelativeDirectory(repository, digest)}/{SignaturePrefix}{index}";
    }

    /// <summary>The signature directory of one manifest, <c>&lt;repo&gt;@&lt;alg&gt;=&lt;hex&gt;</c>.</summary>
    public static string RelativeDirectory(RepositoryName repository, Digest digest) => $"{repository.Value}@{digest.Algorithm}={digest.Hex}";

    /// <summary>Signatures 1, 2, … in order, stopping at the first gap as clients do.</summary>
    public async IAsyncEnumerable<StoredSignature> ListAsync(RepositoryName repository, Digest digest, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var index = 1; index <= MaxSignatures; index++)
        {
            var path = FullPath(repository, digest, index);
            byte[] content;
            try
            {
                content = await File.ReadAllBytesAsync(path, cancellationToken);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                yield break;
            }

            yield return new StoredSignature(index, content);
        }
    }

    /// <summary>
    /// Stores <paramref name="signature"/> at the first free index with create-new semantics,
    /// retrying the next index when another writer wins. A byte-identical signature already in the
    /// list is not written again (its index is returned). MUST refuse blobs over 4 MiB and a 129th signature.
    /// </summary>
    public async Task<AppendResult> AppendAsync(RepositoryName repository, Digest digest, ReadOnlyMemory<byte> signature, CancellationToken cancellationToken)
    {
        if (signature.Length is 0 or > MaxSignatureBytes)
        {
            throw new SignatureStoreException(signature.Length == 0 ? "empty signature" : $"signature larger than {MaxSignatureBytes} bytes");
        }

        var directory = EnsureDirectory(repository, digest);
        var temp = Path.Combine(directory, $".u7s-tmp-{Guid.NewGuid():N}");
        try
        {
            await WriteDurablyAsync(temp, signature, cancellationToken);
            var index = 1;
            await foreach (var existing in ListAsync(repository, digest, cancellationToken))
            {
                if (existing.Content.AsSpan().SequenceEqual(signature.Span))
                {
                    return new AppendResult(existing.Index, Created: false);
                }

                index = existing.Index + 1;
            }

            for (; index <= MaxSignatures; index++)
            {
                // Another writer may take this index first: then try the next one.
                if (UnixLink.TryCreate(temp, FullPath(repository, digest, index)))
                {
                    return new AppendResult(index, Created: true);
                }
            }

            throw new SignatureStoreException($"{RelativeDirectory(repository, digest)} already holds {MaxSignatures} signatures");
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>
    /// Deletes signature <paramref name="index"/> and renumbers the later ones down so the list has
    /// no gap (a gap hides everything after it). MUST throw when the index does not exist.
    /// </summary>
    public async Task DeleteAsync(RepositoryName repository, Digest digest, int index, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var s in ListAsync(repository, digest, cancellationToken))
        {
            count = s.Index;
        }

        if (index < 1 || index > count)
        {
            throw new SignatureStoreException($"{RelativeDirectory(repository, digest)} has no signature {index}");
        }

        File.Delete(FullPath(repository, digest, index));
        for (var next = index + 1; next <= count; next++)
        {
            File.Move(FullPath(repository, digest, next), FullPath(repository, digest, next - 1), overwrite: false);
        }
    }

    private string FullPath(RepositoryName repository, Digest digest, int index) =>
        Path.Combine(Root, RelativePath(repository, digest, index));

    private string EnsureDirectory(RepositoryName repository, Digest digest)
    {
        var current = Root;
        Directory.CreateDirectory(current);
        var parts = RelativeDirectory(repository, digest).Split('/');
        foreach (var part in parts)
        {
            current = Path.Combine(current, part);
            if (!Directory.Exists(current))
            {
                Directory.CreateDirectory(current);
                SetMode(current, DirectoryMode);
            }
        }

        return current;
    }

    private static async Task WriteDurablyAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        await using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
        {
            await stream.WriteAsync(content, cancellationToken);
            stream.Flush(flushToDisk: true);
        }

        SetMode(path, SignatureFileMode);
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            // Explicit: the process umask would otherwise strip group write and setgid.
            File.SetUnixFileMode(path, mode);
        }
    }
}
