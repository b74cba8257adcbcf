using System.IO.Compression;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Utilities.Bzip2;

namespace U7s.Sigstore.OpenPgp;

/// <summary>
/// Reads the packets of a simple-signing message (SPEC §2.2) within fixed bounds, so a small
/// hostile blob cannot cost more than a real one: a compressed packet expands to at most
/// <see cref="MaxDecompressedBytes"/>, the signed payload is at most <see cref="MaxPayloadBytes"/>,
/// and the message holds at most <see cref="MaxPackets"/> packets. Real messages hold three or four
/// packets and a payload under 1 KiB; a 100 KB blob of compressed marker packets once took a minute
/// of CPU. Cancellation is checked as the decompressed bytes are read.
/// </summary>
internal static class SignedMessageReader
{
    /// <summary>Largest signed payload; containers/image writes a few hundred bytes.</summary>
    public const int MaxPayloadBytes = 64 * 1024;

    /// <summary>Largest decompressed content of the compressed packet: the payload plus room for signature packets.</summary>
    public const int MaxDecompressedBytes = 256 * 1024;

    /// <summary>Most packets in a message, compressed or not (gpg writes four: compressed, one-pass, literal, signature).</summary>
    public const int MaxPackets = 16;

    /// <summary>
    /// The largest simple-signing message of a payload of at most <see cref="MaxPayloadBytes"/>, each part
    /// at the most its format allows (RFC 4880): a compressed packet holding one one-pass signature, the
    /// literal data and one signature (a check accepts exactly one). Anything longer cannot verify, so it is
    /// refused unread past this many bytes: about 199 KiB, where the lookaside limit is 4 MiB. Besides the
    /// packets it counts the compressed packet's header and algorithm octet, the worst expansion of
    /// incompressible data (bzip2's documented bound, 1% + 600 octets, exceeds deflate's stored blocks and
    /// zlib's framing) and the partial-length octets of a compressed packet written as a stream.
    /// </summary>
    public const int MaxMessageBytes = MaxPacketHeader + 1 + MaxContentBytes + (MaxContentBytes / 100) + 600 + (MaxContentBytes / 512);

    /// <summary>A packet header at its longest: a new-format tag and a five-octet length.</summary>
    private const int MaxPacketHeader = 6;

    /// <summary>Version, key ID, algorithms, flag: 13 octets.</summary>
    private const int OnePassPacketBytes = MaxPacketHeader + 13;

    /// <summary>
    /// Format, file name (a one-octet length, so at most 255), date, then the payload; written with
    /// partial lengths (gpg does when it streams), one more octet per chunk of at least 512.
    /// </summary>
    private const int LiteralPacketBytes = MaxPacketHeader + 1 + 1 + 255 + 4 + MaxPayloadBytes + (MaxPayloadBytes / 512);

    /// <summary>
    /// A v4 signature: version, class, key and hash algorithms; the hashed and the unhashed subpacket
    /// areas at their two-octet maximum; the two hash octets; then up to two MPIs of a 16384-bit key
    /// (GnuPG's largest RSA key; DSA, ECDSA and EdDSA signatures are far smaller).
    /// </summary>
    private const int SignaturePacketBytes = MaxPacketHeader + 4 + (2 * (2 + ushort.MaxValue)) + 2 + (2 * (2 + (16384 / 8)));

    private const int MaxContentBytes = OnePassPacketBytes + LiteralPacketBytes + SignaturePacketBytes;

    /// <summary>
    /// The signatures, one-pass count and literal content of <paramref name="data"/>. MUST throw
    /// (<see cref="InvalidDataException"/>, <see cref="PgpException"/>, <see cref="IOException"/>) for
    /// a malformed message or one beyond the bounds, and
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public static SignedMessage Read(byte[] data, CancellationToken cancellationToken)
    {
        var message = new SignedMessage();
        var outer = new PgpObjectFactory(data);
        while (Next(outer, message, cancellationToken) is { } item)
        {
            if (item is PgpCompressedData compressed && message.IsEmpty && !message.WasCompressed)
            {
                message.WasCompressed = true;
                ReadCompressed(compressed, message, cancellationToken);
            }
            else
            {
                Add(item, message);
            }
        }

        return message;
    }

    private static void ReadCompressed(PgpCompressedData compressed, SignedMessage message, CancellationToken cancellationToken)
    {
        // The packet body as written; the decompressor reads it a byte at a time so it never takes
        // bytes past the end of the compressed stream, and whatever remains is seen below.
        var body = compressed.GetInputStream();
        var source = new ByteAtATimeStream(body);
        using (var expanded = new BoundedReadStream(Decompress(compressed.Algorithm, source), MaxDecompressedBytes, cancellationToken))
        {
            var inner = new PgpObjectFactory(expanded);
            while (Next(inner, message, cancellationToken) is { } item)
            {
                Add(item, message);
            }
        }

        // gpg writes its compressed packet with an indeterminate length (0xA3), so bytes appended to
        // the blob land inside the packet after the compressed stream: gpg and gpgme ignore them, and
        // so does verification; an upload refuses them (they are not part of what was signed).
        message.TrailingBytes += Drain(body, cancellationToken);
    }

    private static Stream Decompress(CompressionAlgorithmTag algorithm, Stream source) => algorithm switch
    {
        CompressionAlgorithmTag.Uncompressed => source,
        CompressionAlgorithmTag.Zip => new DeflateStream(source, CompressionMode.Decompress, leaveOpen: true),
        CompressionAlgorithmTag.ZLib => new ZLibStream(source, CompressionMode.Decompress, leaveOpen: true),
        CompressionAlgorithmTag.BZip2 => new CBZip2InputStreamLeaveOpen(source),
        _ => throw new PgpException($"unknown compression algorithm {(int)algorithm}"),
    };

    private static PgpObject? Next(PgpObjectFactory factory, SignedMessage message, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var item = factory.NextPgpObject();
        message.Packets += item switch
        {
            null => 0,
            PgpSignatureList list => list.Count,
            PgpOnePassSignatureList list => list.Count,
            _ => 1,
        };
        if (message.Packets > MaxPackets)
        {
            throw new InvalidDataException($"more than {MaxPackets} packets in a signed message");
        }

        return item;
    }

    private static void Add(PgpObject item, SignedMessage message)
    {
        switch (item)
        {
            case PgpOnePassSignatureList onePass:
                message.OnePassCount += onePass.Count;
                break;
            case PgpSignatureList signatures:
                for (var i = 0; i < signatures.Count; i++)
                {
                    message.Signatures.Add(signatures[i]);
                }

                break;
            case PgpLiteralData literal when message.Content is null:
                message.Content = ReadPayload(literal.GetInputStream());
                break;
            case PgpMarker:
                break;
            default:
                throw new PgpException($"unexpected {item.GetType().Name} in a signed message");
        }
    }

    private static byte[] ReadPayload(Stream input)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = input.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + read > MaxPayloadBytes)
            {
                throw new InvalidDataException($"signed payload larger than {MaxPayloadBytes / 1024} KiB");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static long Drain(Stream input, CancellationToken cancellationToken)
    {
        var chunk = new byte[16 * 1024];
        long total = 0;
        int read;
        while ((read = input.Read(chunk, 0, chunk.Length)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            total += read;
        }

        return total;
    }
}
