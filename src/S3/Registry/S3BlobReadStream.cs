
namespace U7s.S3.Registry;

/// <summary>
/// A stored blob as a seekable, read-only stream over a GET from the current position to the end, never
/// buffered. It usually starts with the GET that opened the blob (<paramref name="opened"/>, whose length
/// answered the open, so a read costs one request instead of a HEAD and a GET); a seek drops the response and
/// the next read starts a ranged GET. Reads are asynchronous only: the S3 client has no synchronous calls.
/// </summary>
internal sealed class S3BlobReadStream(S3Bucket bucket, string key, long length, S3Download? opened) : Stream
{
    private S3Download? _response = opened;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= length || buffer.IsEmpty)
        {
            return 0;
        }

        _response ??= await bucket.GetOrNullAsync(key, _position, null, cancellationToken)
            ?? throw new IOException($"blob {key} was removed while being read");
        var read = await _response.Body.ReadAsync(buffer, cancellationToken);
        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("blobs in S3 are read asynchronously");

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        if (target != _position)
        {
            DropResponse();
            _position = target;
        }

        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            DropResponse();
        }

        base.Dispose(disposing);
    }

    private void DropResponse()
    {
        _response?.Dispose();
        _response = null;
    }
}
