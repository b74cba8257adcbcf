using System.Buffers;
using System.Text;
using U7s.Security.Proxies;

namespace U7s.Security.Tests.Proxies;

/// <summary>The PROXY protocol header (haproxy doc/proxy-protocol.txt), v1 text and v2 binary, whole and in pieces.</summary>
public sealed class ProxyHeaderTests
{
    private const string V2Signature = "0D0A0D0A000D0A515549540A";

    [Theory]
    [InlineData("PROXY TCP4 203.0.113.7 10.0.0.11 51234 80\r\nGET /", "Complete", 43, "203.0.113.7:51234")]
    [InlineData("PROXY TCP6 2001:db8::7 2001:db8::1 51234 80\r\n", "Complete", 45, "[2001:db8::7]:51234")]
    [InlineData("PROXY UNKNOWN\r\n", "Complete", 15, null)]
    [InlineData("PROXY TCP4 203.0.113.7 10.0.0.11 51234", "NeedMore", 0, null)]
    [InlineData("PRO", "NeedMore", 0, null)]
    [InlineData("PROXY TCP4 2001:db8::7 10.0.0.11 1 80\r\n", "Invalid", 0, null)]
    [InlineData("PROXY TCP4 203.0.113.7 10.0.0.11 99999 80\r\n", "Invalid", 0, null)]
    [InlineData("GET /v2/ HTTP/1.1\r\n", "Invalid", 0, null)]
    [InlineData("POST /v2/app/blobs/uploads/ HTTP/1.1\r\nX-Forwarded-For: 127.0.0.1\r\n", "Invalid", 0, null)]
    public void V1(string text, string status, int length, string? client) =>
        Check(Encoding.ASCII.GetBytes(text), Enum.Parse<ProxyHeader.Status>(status), length, client);

    [Fact]
    public void V1_LineLongerThanTheSpecAllows_IsInvalid() =>
        Check(Encoding.ASCII.GetBytes("PROXY TCP4 " + new string('1', 120)), ProxyHeader.Status.Invalid, 0, null);

    [Theory]
    [InlineData("2111000C" + "CB007107" + "0A00000B" + "C822" + "0050", "Complete", 28, "203.0.113.7:51234")]
    [InlineData("2121002420010DB8000000000000000000000007" + "20010DB8000000000000000000000001" + "C822" + "0050", "Complete", 52, "[2001:db8::7]:51234")]
    [InlineData("20000000", "Complete", 16, null)]
    [InlineData("2011000C" + "CB007107" + "0A00000B" + "C822" + "0050", "Complete", 28, null)]
    [InlineData("2111000C" + "CB007107", "NeedMore", 0, null)]
    [InlineData("2111", "NeedMore", 0, null)]
    [InlineData("3111000C" + "CB007107" + "0A00000B" + "C822" + "0050", "Invalid", 0, null)]
    [InlineData("21111001", "Invalid", 0, null)]
    [InlineData("21110004" + "CB007107", "Invalid", 0, null)]
    public void V2(string afterSignature, string status, int length, string? client) =>
        Check(Convert.FromHexString(V2Signature + afterSignature), Enum.Parse<ProxyHeader.Status>(status), length, client);

    [Fact]
    public void V2_SplitAcrossSegments_ParsesTheSame()
    {
        var bytes = Convert.FromHexString(V2Signature + "2111000CCB0071070A00000BC8220050");
        var first = new Segment(bytes.AsMemory(0, 5));
        var last = first.Append(bytes.AsMemory(5));
        Assert.Equal(ProxyHeader.Status.Complete, ProxyHeader.TryParse(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length), out var length, out var client));
        Assert.Equal(28, length);
        Assert.Equal("203.0.113.7:51234", client?.ToString());
    }

    private static void Check(byte[] bytes, ProxyHeader.Status status, int length, string? client)
    {
        Assert.Equal(status, ProxyHeader.TryParse(new ReadOnlySequence<byte>(bytes), out var parsedLength, out var parsedClient));
        Assert.Equal(length, parsedLength);
        Assert.Equal(client, parsedClient?.ToString());
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
