using System.Runtime.CompilerServices;
using U7s.Oci;

namespace U7s.Sigstore.Store;

/// <summary>
/// The lookaside signatures (SPEC §2.4) under <c>sigstore/</c> of the served tree, the same layout podsec
/// and <c>podman push --sign-by</c> with a <c>file://</c> staging lookaside write:
/// <code>
/// &lt;tree&gt;/sigstore/                        /var/sigstore/sigstore, or keys sigstore/sigstore/… on S3
/// └── &lt;repository path&gt;@&lt;alg&gt;=&lt;hex&gt;/
///     └── signature-1 … signature-N          N decimal from 1, no gaps, at most 128
/// </code>
/// Appends are create-if-absent (never overwrite) at the first free index; readers stop at the first
/// gap, so deleting renumbers the rest down. The logic is the same for every <see cref="ISigstoreTree"/>;
/// only the tree's atomic create differs (link(2) on disk, a conditional PUT on S3), so replicas sharing
/// one tree may append at the same time.
/// <para>
/// Every signature this store adds or removes is raised on <paramref name="changes"/> (once, after it is visible),
/// whichever tree is underneath; a file written into the tree by anything else raises nothing.
/// </para>
/// </summary>
public sealed class SignatureStore(ISigstoreTree tree, StoreChangeFeed? changes = null)
{
    /// <summary>containers/image reads at most this many signatures per image.</summary>
    public const int MaxSignatures = 128;

    /// <summary>containers/image reads at most this many bytes per signature.</summary>
    public const int MaxSignatureBytes = 4 * 1024 * 1024;

    /// <summary>The directory of the tree that holds repository paths.</summary>
    public const string TreeDirectory = "sigstore";

    private const string SignaturePrefix = "signature-";

    /// <summary>The tree the signatures live in.</summary>
    public ISigstoreTree Tree { get; } = tree;

    /// <summary>
    /// The one path builder of the lookaside layout: <c>&lt;repo&gt;@&lt;alg&gt;=&lt;hex&gt;/signature-&lt;index&gt;</c>,
    /// relative to <see cref="TreeDirectory"/> and to the lookaside base URL alike. The repository excludes the
    /// registry host (SPEC §2.4).
    /// </summary>
    public static string RelativePath(RepositoryName repository, Digest digest, int index)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(index, 1);
        return $"{RelativeDirectory(repository, digest)}/{SignaturePrefix}{index}";
    }

    /// <summary>The signature directory of one manifest, <c>&lt;repo&gt;@&lt;alg&gt;=&lt;hex&gt;</c>.</summary>
    public static string RelativeDirectory(RepositoryName repository, Digest digest) => $"{repository.Value}@{digest.Algorithm}={digest.Hex}";

    /// <summary>The path of signature <paramref name="index"/> in the tree, <c>sigstore/&lt;repo&gt;@&lt;alg&gt;=&lt;hex&gt;/signature-&lt;index&gt;</c>.</summary>
    public static string TreePath(RepositoryName repository, Digest digest, int index) => $"{TreeDirectory}/{RelativePath(repository, digest, index)}";

    /// <summary>Signatures 1, 2, … in order, stopping at the first gap as clients do.</summary>
    public async IAsyncEnumerable<StoredSignature> ListAsync(RepositoryName repository, Digest digest, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var index = 1; index <= MaxSignatures; index++)
        {
            var content = await ReadOrNullAsync(repository, digest, index, cancellationToken);
            if (content is null)
            {
                yield break;
            }

            yield return new StoredSignature(index, content);
        }
    }

    /// <summary>
    /// Stores <paramref name="signature"/> at the first free index with create-if-absent semantics,
    /// retrying the next index when another writer wins. A byte-identical signature already in the
    /// list, or written by a racing writer at an index this one lost, is not written again (its index
    /// is returned). MUST refuse blobs over 4 MiB and a 129th signature.
    /// </summary>
    public async Task<AppendResult> AppendAsync(RepositoryName repository, Digest digest, ReadOnlyMemory<byte> signature, CancellationToken cancellationToken)
    {
        if (signature.Length is 0 or > MaxSignatureBytes)
        {
            throw new SignatureStoreException(signature.Length == 0 ? "empty signature" : $"signature larger than {MaxSignatureBytes} bytes");
        }

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
            if (await Tree.CreateIfAbsentAsync(TreePath(repository, digest, index), signature, cancellationToken))
            {
                changes?.Raise(new StoreChange(StoreChangeKind.SignaturePut, repository, digest));
                return new AppendResult(index, Created: true);
            }

            // Another writer took this index first. Every index below ours was either listed or lost
            // like this one, so checking the winner's bytes keeps two racing writers of one signature
            // from storing it twice.
            var winner = await ReadOrNullAsync(repository, digest, index, cancellationToken);
            if (winner is not null && winner.AsSpan().SequenceEqual(signature.Span))
            {
                return new AppendResult(index, Created: false);
            }
        }

        throw new SignatureStoreException($"{RelativeDirectory(repository, digest)} already holds {MaxSignatures} signatures");
    }

    /// <summary>
    /// Deletes signature <paramref name="index"/> and renumbers the later ones down so the list has
    /// no gap (a gap hides everything after it). MUST throw when the index does not exist.
    /// </summary>
    public async Task DeleteAsync(RepositoryName repository, Digest digest, int index, CancellationToken cancellationToken)
    {
        if (index < 1 || index > MaxSignatures || await ReadOrNullAsync(repository, digest, index, cancellationToken) is null)
        {
            throw new SignatureStoreException($"{RelativeDirectory(repository, digest)} has no signature {index}");
        }

        await Tree.DeleteAsync(TreePath(repository, digest, index), cancellationToken);
        try
        {
            await RenumberAfterAsync(repository, digest, index, cancellationToken);
        }
        finally
        {
            // Raised once the signature is gone, even when closing the gap failed: what readers see has changed.
            changes?.Raise(new StoreChange(StoreChangeKind.SignatureDelete, repository, digest));
        }
    }

    private async Task RenumberAfterAsync(RepositoryName repository, Digest digest, int index, CancellationToken cancellationToken)
    {
        for (var next = index + 1; next <= MaxSignatures; next++)
        {
            var content = await ReadOrNullAsync(repository, digest, next, cancellationToken);

            // The end of the list; or an appender filled the gap first, and then there is no gap left to close.
            if (content is null || !await Tree.CreateIfAbsentAsync(TreePath(repository, digest, next - 1), content, cancellationToken))
            {
                return;
            }

            await Tree.DeleteAsync(TreePath(repository, digest, next), cancellationToken);
        }
    }

    private Task<byte[]?> ReadOrNullAsync(RepositoryName repository, Digest digest, int index, CancellationToken cancellationToken) =>
        Tree.ReadAllOrNullAsync(TreePath(repository, digest, index), MaxSignatureBytes, cancellationToken);
}
