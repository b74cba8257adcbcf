using U7s.Sigstore.Store;

namespace U7s.Cli.Tests.Support;

/// <summary>
/// A real signature tree that counts what is read from it (files opened, bytes read), and can hold
/// every open at a gate until the test lets it through, so that requests can be made to overlap.
/// </summary>
internal sealed class CountingTree(ISigstoreTree inner) : ISigstoreTree
{
    private long _opens;
    private long _bytes;

    /// <summary>While not completed, every open waits for it.</summary>
    public TaskCompletionSource Gate { get; set; } = CompletedGate();

    public long Opens => Interlocked.Read(ref _opens);

    public long BytesRead => Interlocked.Read(ref _bytes);

    public static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }

    public async ValueTask<SigstoreTreeFile?> OpenFileOrNullAsync(string path, CancellationToken cancellationToken)
    {
        await Gate.Task.WaitAsync(cancellationToken);
        Interlocked.Increment(ref _opens);
        return await inner.OpenFileOrNullAsync(path, cancellationToken) is { } file ? new CountingFile(file, this) : null;
    }

    public async Task<byte[]?> ReadAllOrNullAsync(string path, int maxBytes, CancellationToken cancellationToken)
    {
        await Gate.Task.WaitAsync(cancellationToken);
        Interlocked.Increment(ref _opens);
        var content = await inner.ReadAllOrNullAsync(path, maxBytes, cancellationToken);
        Interlocked.Add(ref _bytes, content?.Length ?? 0);
        return content;
    }

    public ValueTask<bool> DirectoryExistsAsync(string path, CancellationToken cancellationToken) => inner.DirectoryExistsAsync(path, cancellationToken);

    public Task<IReadOnlyList<SigstoreTreeEntry>?> ListDirectoryOrNullAsync(string path, CancellationToken cancellationToken) => inner.ListDirectoryOrNullAsync(path, cancellationToken);

    public Task<bool> CreateIfAbsentAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => inner.CreateIfAbsentAsync(path, content, cancellationToken);

    public Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => inner.WriteAsync(path, content, cancellationToken);

    public Task DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    private sealed class CountingFile(SigstoreTreeFile inner, CountingTree tree) : SigstoreTreeFile(inner.Length, inner.LastModified)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            Interlocked.Add(ref tree._bytes, read);
            return read;
        }

        protected override ValueTask DisposeAsyncCore() => inner.DisposeAsync();
    }
}
