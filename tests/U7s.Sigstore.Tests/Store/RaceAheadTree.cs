using U7s.Sigstore.Store;

namespace U7s.Sigstore.Tests.Store;

/// <summary>
/// A tree where another writer always gets there first: every create-if-absent is preceded by the same
/// create with <see cref="Rival"/>'s bytes (or the caller's own when null), so the caller loses each
/// race deterministically. Everything else goes straight to the inner tree.
/// </summary>
internal sealed class RaceAheadTree(ISigstoreTree inner, int races) : ISigstoreTree
{
    private int _racesLeft = races;

    /// <summary>What the rival writes; null means the same bytes as the caller.</summary>
    public byte[]? Rival { get; init; }

    public async Task<bool> CreateIfAbsentAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        if (Interlocked.Decrement(ref _racesLeft) >= 0)
        {
            await inner.CreateIfAbsentAsync(path, Rival ?? content, cancellationToken);
        }

        return await inner.CreateIfAbsentAsync(path, content, cancellationToken);
    }

    public ValueTask<SigstoreTreeFile?> OpenFileOrNullAsync(string path, CancellationToken cancellationToken) => inner.OpenFileOrNullAsync(path, cancellationToken);

    public Task<byte[]?> ReadAllOrNullAsync(string path, int maxBytes, CancellationToken cancellationToken) => inner.ReadAllOrNullAsync(path, maxBytes, cancellationToken);

    public ValueTask<bool> DirectoryExistsAsync(string path, CancellationToken cancellationToken) => inner.DirectoryExistsAsync(path, cancellationToken);

    public Task<IReadOnlyList<SigstoreTreeEntry>?> ListDirectoryOrNullAsync(string path, CancellationToken cancellationToken) => inner.ListDirectoryOrNullAsync(path, cancellationToken);

    public Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => inner.WriteAsync(path, content, cancellationToken);

    public Task DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);
}
