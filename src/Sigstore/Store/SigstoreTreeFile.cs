namespace U7s.Sigstore.Store;

/// <summary>
/// A file of the served tree opened for one read from start to end. Not a <see cref="Stream"/> on purpose:
/// the filesystem reads straight from its handle into the response pipe (the hot path of every node pull).
/// </summary>
public abstract class SigstoreTreeFile : IAsyncDisposable
{
    protected SigstoreTreeFile(long length, DateTimeOffset lastModified)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        LastModified = lastModified;
    }

    public long Length { get; }

    public DateTimeOffset LastModified { get; }

    /// <summary>Reads the next bytes into <paramref name="buffer"/>; 0 at the end.</summary>
    public abstract ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore();
        GC.SuppressFinalize(this);
    }

    protected abstract ValueTask DisposeAsyncCore();
}
