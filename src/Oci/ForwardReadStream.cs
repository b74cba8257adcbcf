namespace U7s.Oci;

/// <summary>
/// A read-only stream that only goes forward (a decoder, a guard or a counter around another stream, a
/// response body): the members every such stream answers alike. Seeking, writing, <see cref="Length"/>
/// and <see cref="Position"/> are not supported unless a subclass overrides them; a subclass supplies the reads.
/// </summary>
public abstract class ForwardReadStream : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
