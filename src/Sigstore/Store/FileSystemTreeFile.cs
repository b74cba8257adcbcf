using Microsoft.Win32.SafeHandles;

namespace U7s.Sigstore.Store;

/// <summary>An open file of <see cref="FileSystemSigstoreTree"/>: positional reads on the handle, no stream object.</summary>
internal sealed class FileSystemTreeFile(SafeFileHandle handle, long length, DateTimeOffset lastModified) : SigstoreTreeFile(length, lastModified)
{
    private long _offset;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = await RandomAccess.ReadAsync(handle, buffer, _offset, cancellationToken);
        _offset += read;
        return read;
    }

    protected override ValueTask DisposeAsyncCore()
    {
        handle.Dispose();
        return ValueTask.CompletedTask;
    }
}
