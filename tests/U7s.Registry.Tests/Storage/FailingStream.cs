namespace U7s.Registry.Tests.Storage;

/// <summary>A non-seekable stream that yields some bytes and then fails, like a client dropping mid-chunk.</summary>
internal sealed class FailingStream(byte[] before) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_position >= before.Length)
        {
            throw new IOException("connection reset");
        }

        var n = Math.Min(count, before.Length - _position);
        Array.Copy(before, _position, buffer, offset, n);
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
