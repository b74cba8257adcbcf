using Microsoft.Win32.SafeHandles;
using U7s.Native;

namespace U7s.Sigstore.Store;

/// <summary>An open file of <see cref="FileSystemSigstoreTree"/>: positional reads on the handle, no stream object.</summary>
internal sealed class FileSystemTreeFile(SafeFileHandle handle, long length, DateTimeOffset lastModified) : SigstoreTreeFile(length, lastModified)
{
    private long _offset;

    /// <summary>
    /// A plain pread on the calling thread: the files are small and on local disk, and the handle is not
    /// opened for async I/O, so <see cref="RandomAccess.ReadAsync(SafeFileHandle, Memory{byte}, long, CancellationToken)"/>
    /// would only move the same blocking read to another pool thread (a profile of signature GETs put 14 % of the
    /// server's time in that hop). <see cref="DirectoryHandle.ReadAt"/> rather than <see cref="RandomAccess"/>: the
    /// latter asks each new handle with an <c>lseek</c> whether it may seek (2 % of a signature GET's server time).
    /// </summary>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var read = DirectoryHandle.ReadAt(handle, buffer.Span, _offset);
        _offset += read;
        return ValueTask.FromResult(read);
    }

    protected override ValueTask DisposeAsyncCore()
    {
        handle.Dispose();
        return ValueTask.CompletedTask;
    }
}
