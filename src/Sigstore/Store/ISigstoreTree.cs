namespace U7s.Sigstore.Store;

/// <summary>
/// The tree the :81 server serves (SPEC §2.5): <c>index.html</c>, <c>keys/</c>, <c>sigstore/…/signature-N</c>.
/// Paths are relative, '/'-separated, without empty, <c>.</c> or <c>..</c> segments (see
/// <see cref="SigstoreTreePath"/>); <c>""</c> is the root. Directories exist while they hold something
/// (S3) or once created (filesystem); writes create the parents they need. A failure of the store itself is an
/// <see cref="IOException"/>; a remote store's is a <see cref="U7s.Oci.StorageException"/> (never its client
/// library's own type), whose <see cref="U7s.Oci.StorageException.IsUnavailable"/> tells a store that did not answer.
/// </summary>
public interface ISigstoreTree
{
    /// <summary>
    /// Opens the file at <paramref name="path"/> for reading, with its length and modification time known;
    /// null when no file has that path (absent, or a directory). The caller disposes it.
    /// </summary>
    ValueTask<SigstoreTreeFile?> OpenFileOrNullAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// The whole file, or null when it is absent. MUST throw <see cref="InvalidDataException"/> when it is
    /// larger than <paramref name="maxBytes"/> rather than read it.
    /// </summary>
    Task<byte[]?> ReadAllOrNullAsync(string path, int maxBytes, CancellationToken cancellationToken);

    /// <summary>True when <paramref name="path"/> is a directory; the root always is.</summary>
    ValueTask<bool> DirectoryExistsAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// The entries directly inside the directory <paramref name="path"/>, in no particular order, dot-files
    /// included; null when it is not a directory.
    /// </summary>
    Task<IReadOnlyList<SigstoreTreeEntry>?> ListDirectoryOrNullAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Creates the file with <paramref name="content"/> only if nothing has that path yet, atomically: of
    /// writers racing for one path (in this process or another replica) exactly one gets true, and readers
    /// never see a partial file. False when the path was taken; the existing file is left untouched.
    /// </summary>
    Task<bool> CreateIfAbsentAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Writes or replaces the file; readers see the old or the new content, never a mix.</summary>
    Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Removes the file; a missing file is not an error.</summary>
    Task DeleteAsync(string path, CancellationToken cancellationToken);
}
