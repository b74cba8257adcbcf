using System.Diagnostics;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Tests.OpenPgp;
using Xunit.Abstractions;

namespace U7s.Sigstore.Tests.BadInput;

/// <summary>
/// Small hostile messages must cost no more than real ones: a blob longer than the largest message of
/// the largest payload is not read, compressed data expands to at most 256 KiB, a message holds at most
/// 16 packets, the payload is at most 64 KiB, and the work stops
/// when the caller's token fires. Each bomb is built here around a real signature by a trusted key.
/// Timings are printed for the record, never asserted.
/// </summary>
public sealed class CompressionBombTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private static readonly byte[] Payload = """{"critical":{}}"""u8.ToArray();
    private readonly BouncyCastleOpenPgp _pgp = new();

    /// <summary>The one-pass, literal and signature packets of a real U7s signature.</summary>
    private (byte[] OnePass, byte[] Literal, byte[] Signature) Packets()
    {
        var message = _pgp.Sign(Payload, SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, default, SignatureHash.Sha256, Now);
        var onePassEnd = 2 + message[1];
        var literalEnd = onePassEnd + 2 + message[onePassEnd + 1];
        return (message[..onePassEnd], message[onePassEnd..literalEnd], message[literalEnd..]);
    }

    private OpenPgpVerification Verify(byte[] blob, string what)
    {
        var watch = Stopwatch.StartNew();
        var result = _pgp.Verify(blob, [SampleKeys.SignerPublic], Now, CancellationToken.None);
        output.WriteLine($"{what}: {blob.Length} bytes checked in {watch.ElapsedMilliseconds} ms: {result.Error}");
        return result;
    }

    [Theory]
    [InlineData(1, 64)]
    [InlineData(2, 64)]
    [InlineData(3, 1)] // BouncyCastle's bzip2 compressor is slow to build the bomb, not to reject it
    public void Verify_LiteralOfZerosCompressed_StopsAtThePayloadBound(int algorithm, int mebibytes)
    {
        var (onePass, _, signature) = Packets();
        var zeros = (long)mebibytes << 20;
        var chunk = new byte[1 << 20];
        var bomb = PacketRewriter.Compress(algorithm, s =>
        {
            s.Write(onePass);
            PacketRewriter.WriteHeader(s, 11, 6 + zeros);
            s.Write("b\0\0\0\0\0"u8);
            for (long written = 0; written < zeros; written += chunk.Length)
            {
                s.Write(chunk);
            }

            s.Write(signature);
        });

        var result = Verify(bomb, $"{mebibytes} MiB of zeros, algorithm {algorithm}");

        Assert.False(result.IsValid);
        Assert.Equal("Invalid GPG signature: signed payload larger than 64 KiB", result.Error);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Verify_MarkerPacketFlood_StopsAtThePacketBound(bool compressed)
    {
        var (onePass, literal, signature) = Packets();
        var markers = Repeat([0xA8, 0x03, (byte)'P', (byte)'G', (byte)'P'], 64 * 1024);
        void Write(Stream s, int chunks)
        {
            s.Write(onePass);
            s.Write(literal);
            s.Write(signature);
            for (var i = 0; i < chunks; i++)
            {
                s.Write(markers);
            }
        }

        // Compressed, 16 MiB of markers fit in 90 KB; uncompressed, nearly the largest message a signature may be.
        var bomb = compressed
            ? PacketRewriter.Compress(1, s => Write(s, (16 << 20) / markers.Length))
            : Build(s => Write(s, (SignedMessageReader.MaxMessageBytes - 1024) / markers.Length));

        var result = Verify(bomb, compressed ? "compressed markers" : "plain markers");

        Assert.False(result.IsValid);
        Assert.Equal("Invalid GPG signature: more than 16 packets in a signed message", result.Error);
    }

    [Fact]
    public void Verify_OnePassPacketFlood_IsBounded()
    {
        var (onePass, literal, signature) = Packets();
        var onePasses = Repeat(onePass, 64 * 1024);
        var bomb = PacketRewriter.Compress(1, s =>
        {
            for (var i = 0; i < (16 << 20) / onePasses.Length; i++)
            {
                s.Write(onePasses);
            }

            s.Write(literal);
            s.Write(signature);
        });

        var result = Verify(bomb, "one-pass flood");

        // BouncyCastle reads consecutive one-pass packets as one list: the expansion bound stops it first.
        Assert.False(result.IsValid);
        Assert.Equal("Invalid GPG signature: compressed data expands to more than 256 KiB", result.Error);
    }

    [Fact]
    public void Verify_PayloadOver64KiB_IsRefused()
    {
        var big = new byte[(64 * 1024) + 1];
        var blob = _pgp.Sign(big, SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, default, SignatureHash.Sha256, Now);

        var result = Verify(blob, "65 KiB payload");

        Assert.False(result.IsValid);
        Assert.Equal("Invalid GPG signature: signed payload larger than 64 KiB", result.Error);
    }

    [Fact]
    public void Verify_4MiB_IsRefusedUnread()
    {
        var (onePass, literal, signature) = Packets();
        var blob = Build(s =>
        {
            s.Write(onePass);
            s.Write(literal);
            s.Write(signature);
            s.Write(new byte[4 << 20]);
        });

        var result = Verify(blob, "over 4 MiB");

        Assert.False(result.IsValid);
        Assert.Equal(BouncyCastleOpenPgp.TooLarge, result.Error);
    }

    [Fact]
    public void Verify_CancelledToken_StopsTheWork()
    {
        var (onePass, literal, signature) = Packets();
        var blob = PacketRewriter.Compress(1, s =>
        {
            s.Write(onePass);
            s.Write(literal);
            s.Write(signature);
        });
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.True(_pgp.Verify(blob, [SampleKeys.SignerPublic], Now, CancellationToken.None).IsValid);
        Assert.Throws<OperationCanceledException>(() => _pgp.Verify(blob, [SampleKeys.SignerPublic], Now, cancelled.Token));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Verify_BytesAfterTheCompressedStream_AreIgnoredAsGpgDoes_AndCounted(int algorithm)
    {
        var (onePass, literal, signature) = Packets();
        var message = PacketRewriter.Compress(algorithm, s =>
        {
            s.Write(onePass);
            s.Write(literal);
            s.Write(signature);
        });

        var exact = Verify(message, "exact");
        var appended = Verify([.. message, .. "garbage"u8], "garbage appended");

        Assert.True(exact.IsValid, exact.Error);
        Assert.Equal(0, exact.TrailingBytes);
        Assert.True(appended.IsValid, appended.Error);
        Assert.Equal(Payload, appended.Content);
        Assert.Equal(7, appended.TrailingBytes);
    }

    /// <summary>
    /// Past the largest message a 64 KiB payload can make, a blob is refused without being read, even
    /// one whose message would check out (gpg's compressed packet has no end, so anything appended lands
    /// in it): at the bound it still verifies, one byte more and it does not.
    /// </summary>
    [Fact]
    public void Verify_LongerThanTheLargestMessage_IsRefusedUnread_AtTheBoundItStillChecks()
    {
        var (onePass, literal, signature) = Packets();
        var message = PacketRewriter.Compress(1, s =>
        {
            s.Write(onePass);
            s.Write(literal);
            s.Write(signature);
        });
        var atBound = new byte[SignedMessageReader.MaxMessageBytes];
        message.CopyTo(atBound, 0);

        var fits = Verify(atBound, "at the bound");
        var over = Verify([.. atBound, 0], "one byte over");

        Assert.True(fits.IsValid, fits.Error);
        Assert.Equal(SignedMessageReader.MaxMessageBytes - message.Length, fits.TrailingBytes);
        Assert.False(over.IsValid);
        Assert.Equal(BouncyCastleOpenPgp.TooLarge, over.Error);
    }

    /// <summary>As many whole copies of <paramref name="unit"/> as fit in <paramref name="bytes"/>.</summary>
    private static byte[] Repeat(byte[] unit, int bytes)
    {
        var result = new byte[bytes / unit.Length * unit.Length];
        for (var at = 0; at < result.Length; at += unit.Length)
        {
            unit.CopyTo(result, at);
        }

        return result;
    }

    private static byte[] Build(Action<Stream> write)
    {
        using var buffer = new MemoryStream();
        write(buffer);
        return buffer.ToArray();
    }
}
