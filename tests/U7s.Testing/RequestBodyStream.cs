using U7s.Oci;

namespace U7s.Testing;

/// <summary>
/// A non-seekable request body: a slice of <paramref name="content"/> handed out in reads of at most
/// <paramref name="readBytes"/>, like a socket. With <paramref name="failAtEnd"/> the connection drops after
/// the slice; with a <paramref name="pause"/> before each read it trickles in as from a slow client, so
/// concurrent requests with such bodies overlap on the server.
/// </summary>
public sealed class RequestBodyStream(byte[] content, int offset, int count, bool failAtEnd = false, int readBytes = 100_000, TimeSpan pause = default) : ForwardReadStream
{
    private int _position;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (pause > TimeSpan.Zero)
        {
            Thread.Sleep(pause);
        }

        return Next(buffer);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (pause > TimeSpan.Zero)
        {
            await Task.Delay(pause, cancellationToken);
        }

        return Next(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Next(Span<byte> buffer)
    {
        if (_position == count && failAtEnd)
        {
            throw new IOException("connection reset");
        }

        var n = Math.Min(Math.Min(buffer.Length, readBytes), count - _position);
        content.AsSpan(offset + _position, n).CopyTo(buffer);
        _position += n;
        return n;
    }
}
