using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;

namespace U7s.Security.Proxies;

/// <summary>
/// The PROXY protocol header a load balancer puts before the first byte of a proxied connection
/// (haproxy's <c>send-proxy</c> v1 text, <c>send-proxy-v2</c> binary; spec: haproxy's
/// doc/proxy-protocol.txt). It names the client's address. A v2 <c>LOCAL</c> header (the balancer's
/// own health check) and v1 <c>UNKNOWN</c> carry none: the connection keeps its own.
/// </summary>
internal static class ProxyHeader
{
    /// <summary>Longest v1 line, CRLF included.</summary>
    private const int MaxV1 = 107;

    /// <summary>A v2 header with more TLV bytes than this is refused rather than buffered.</summary>
    private const int MaxV2Payload = 4096;

    private static readonly byte[] V2Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];
    private static readonly byte[] V1Prefix = "PROXY "u8.ToArray();

    public enum Status
    {
        NeedMore,
        Complete,
        Invalid,
    }

    /// <summary>
    /// Parses the header at the start of <paramref name="buffer"/>: <see cref="Status.Complete"/> with its
    /// length in <paramref name="length"/> and the client in <paramref name="client"/> (null when the
    /// header names none), <see cref="Status.NeedMore"/> while it is incomplete, <see cref="Status.Invalid"/>
    /// when the connection does not start with one.
    /// </summary>
    public static Status TryParse(ReadOnlySequence<byte> buffer, out int length, out IPEndPoint? client)
    {
        length = 0;
        client = null;
        Span<byte> head = stackalloc byte[16];
        var available = (int)Math.Min(buffer.Length, head.Length);
        buffer.Slice(0, available).CopyTo(head);
        if (StartsLike(head[..available], V2Signature))
        {
            return available < 16 ? Status.NeedMore : ParseV2(buffer, head, out length, out client);
        }

        if (StartsLike(head[..available], V1Prefix))
        {
            return available < V1Prefix.Length ? Status.NeedMore : ParseV1(buffer, out length, out client);
        }

        return Status.Invalid;
    }

    private static bool StartsLike(ReadOnlySpan<byte> data, byte[] prefix) =>
        data.Length >= prefix.Length ? data.StartsWith(prefix) : prefix.AsSpan().StartsWith(data);

    private static Status ParseV2(ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> head, out int length, out IPEndPoint? client)
    {
        length = 0;
        client = null;
        var versionCommand = head[12];
        var familyProtocol = head[13];
        var payload = BinaryPrimitives.ReadUInt16BigEndian(head[14..16]);
        if (versionCommand >> 4 != 2 || (versionCommand & 0xF) > 1 || payload > MaxV2Payload)
        {
            return Status.Invalid;
        }

        if (buffer.Length < 16 + payload)
        {
            return Status.NeedMore;
        }

        if ((versionCommand & 0xF) == 0)
        {
            // LOCAL: the balancer speaking for itself (health checks).
            length = 16 + payload;
            return Status.Complete;
        }

        var addresses = buffer.Slice(16, payload).ToArray();
        switch (familyProtocol)
        {
            case 0x11 when payload >= 12:
                client = new IPEndPoint(new IPAddress(addresses.AsSpan(0, 4)), BinaryPrimitives.ReadUInt16BigEndian(addresses.AsSpan(8, 2)));
                break;
            case 0x21 when payload >= 36:
                client = new IPEndPoint(new IPAddress(addresses.AsSpan(0, 16)), BinaryPrimitives.ReadUInt16BigEndian(addresses.AsSpan(32, 2)));
                break;
            case 0x00:
                break;
            default:
                return Status.Invalid;
        }

        length = 16 + payload;
        return Status.Complete;
    }

    private static Status ParseV1(ReadOnlySequence<byte> buffer, out int length, out IPEndPoint? client)
    {
        length = 0;
        client = null;
        var line = buffer.Slice(0, Math.Min(buffer.Length, MaxV1)).ToArray();
        var end = line.AsSpan().IndexOf("\r\n"u8);
        if (end < 0)
        {
            return line.Length >= MaxV1 ? Status.Invalid : Status.NeedMore;
        }

        var parts = Encoding.ASCII.GetString(line, 0, end).Split(' ');
        if (parts is ["PROXY", "UNKNOWN", ..])
        {
            length = end + 2;
            return Status.Complete;
        }

        if (parts is not ["PROXY", "TCP4" or "TCP6", var source, _, var sourcePort, _]
            || !IPAddress.TryParse(source, out var address)
            || (parts[1] == "TCP4") != (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            || !ushort.TryParse(sourcePort, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return Status.Invalid;
        }

        length = end + 2;
        client = new IPEndPoint(address, port);
        return Status.Complete;
    }
}
