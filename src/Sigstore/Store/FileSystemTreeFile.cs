using Microsoft.Win32.SafeHandles;

namespace U7s.Sigstore.Store;

/// <summary>An open file of <see cref="FileSystemSigstoreTree"/>: positional reads on the handle, no stream object.</summary>
internal sealed class FileSystemTreeFile(SafeFileHandle handle, long length, DateTimeOffset lastModified) : SigstoreTreeFile(length, lastModified)
{
    private long _offset;

    /// <summary>
    /// A plain pread on the calling thread: the files are small and on local disk, and the handle is not
    /// opened for async I/O, so <see cref="RandomAccess.ReadAsync(SafeFileHandle, Memory{byte}, long, CancellationToken)"/>
    /// would only move the same blocking read to another pool thread (a profile of signature GETs put 14 % of the
    /// server's time in that hop).
    /// </summary>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var read = RandomAccess.Read(handle, buffer.Span, _offset);
        _offset += read;
        return ValueTask.FromResult(read);
    }

    protected override ValueTask DisposeAsyncCore()
    {
        handle.Dispose();
        return ValueTask.CompletedTask;
    }
}
