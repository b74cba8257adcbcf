using U7s.Oci;

namespace U7s.Sigstore.OpenPgp;

/// <summary>
/// Hands <paramref name="inner"/> out one byte per read, so a decompressor that buffers its input
/// still stops reading exactly where its compressed stream ends (compressed packets in signatures
/// are a few hundred bytes, so the extra calls cost nothing).
/// </summary>
internal sealed class ByteAtATimeStream(Stream inner) : ForwardReadStream
{
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var value = inner.ReadByte();
        if (value < 0)
        {
            return 0;
        }

        buffer[0] = (byte)value;
        return 1;
    }

    public override int ReadByte() => inner.ReadByte();
}
