using U7s.Oci;

namespace U7s.Sigstore.OpenPgp;

/// <summary>
/// A read-only view of <paramref name="inner"/> that fails once more than <paramref name="maxBytes"/>
/// came through and checks <paramref name="cancellationToken"/> on every read: the guard around
/// decompression of untrusted messages.
/// </summary>
internal sealed class BoundedReadStream(Stream inner, long maxBytes, CancellationToken cancellationToken) : ForwardReadStream
{
    private long _read;

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // Ask for one byte more than allowed, so reaching the bound exactly is still fine.
        var room = (int)Math.Min(buffer.Length, maxBytes - _read + 1);
        var read = inner.Read(buffer[..room]);
        _read += read;
        if (_read > maxBytes)
        {
            throw new InvalidDataException($"compressed data expands to more than {maxBytes / 1024} KiB");
        }

        return read;
    }

    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 0 ? -1 : one[0];
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
