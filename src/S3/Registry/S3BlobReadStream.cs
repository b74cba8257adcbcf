using Amazon.S3.Model;

namespace U7s.S3.Registry;

/// <summary>
/// A stored blob as a seekable, read-only stream. Nothing is fetched before the first read, which GETs from
/// the current position to the end and streams; a seek after that drops the response and the next read starts
/// a new GET. So a ranged request costs one ranged GET, a HEAD none, and the blob is never buffered.
/// Reads are asynchronous only: the S3 client has no synchronous calls.
/// </summary>
internal sealed class S3BlobReadStream(S3Bucket bucket, string key, long length) : Stream
{
    private GetObjectResponse? _response;
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
        var read = await _response.ResponseStream.ReadAsync(buffer, cancellationToken);
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
