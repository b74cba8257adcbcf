using System.Runtime.InteropServices;
using U7s.Loader.Tests.Support;
using U7s.Loader.Xz;
using U7s.Testing;

namespace U7s.Loader.Tests.Xz;

public sealed class XzDecoderStreamTests : IDisposable
{
    private readonly TempDirectory _temp = new("u7s-xz");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void NativeStructs_MatchLp64LayoutOfLibLzmaHeaders()
    {
        Assert.Equal(LzmaNative.StreamSize, Marshal.SizeOf<LzmaStream>());
        Assert.Equal(40, (int)Marshal.OffsetOf<LzmaStream>(nameof(LzmaStream.TotalOut)));
        Assert.Equal(56, (int)Marshal.OffsetOf<LzmaStream>(nameof(LzmaStream.Internal)));
        Assert.Equal(96, (int)Marshal.OffsetOf<LzmaStream>(nameof(LzmaStream.SeekPos)));
        Assert.Equal(128, (int)Marshal.OffsetOf<LzmaStream>(nameof(LzmaStream.ReservedEnum1)));
        Assert.Equal(LzmaNative.MtSize, Marshal.SizeOf<LzmaMt>());
        Assert.Equal(24, (int)Marshal.OffsetOf<LzmaMt>(nameof(LzmaMt.Filters)));
        Assert.Equal(32, (int)Marshal.OffsetOf<LzmaMt>(nameof(LzmaMt.Check)));
        Assert.Equal(64, (int)Marshal.OffsetOf<LzmaMt>(nameof(LzmaMt.MemlimitThreading)));
        Assert.Equal(72, (int)Marshal.OffsetOf<LzmaMt>(nameof(LzmaMt.MemlimitStop)));
        Assert.StartsWith("5.", Marshal.PtrToStringUTF8(LzmaNative.VersionString()));
    }

    [RequiresToolFact("xz")]
    public async Task Read_SingleBlockXz9_RoundTripsByteExact()
    {
        var data = TestData.Compressible(1, 3 << 20);
        var xz = await CompressAsync(data, "-9");
        Assert.Equal(TestData.Sha256(data), await DecodeHashAsync(xz));
    }

    [RequiresToolFact("xz")]
    public async Task Read_MultiBlockThreadedXz_RoundTripsByteExact()
    {
        var data = TestData.Compressible(2, 5 << 20);
        var xz = await CompressAsync(data, "-T2", "--block-size=1MiB");
        var list = await ExternalProcess.RunAsync("xz", ["--robot", "--list", xz]);
        Assert.Contains("\t5\t", list.EnsureSuccess("xz --list").StandardOutput.Split('\n').Single(l => l.StartsWith("file", StringComparison.Ordinal)));
        Assert.Equal(TestData.Sha256(data), await DecodeHashAsync(xz));
    }

    [RequiresToolFact("xz")]
    public async Task Read_ConcatenatedStreams_DecodesAll()
    {
        var a = TestData.Compressible(3, 100_000);
        var b = TestData.Compressible(4, 200_000);
        var xa = await File.ReadAllBytesAsync(await CompressAsync(a, "-6"));
        var xb = await File.ReadAllBytesAsync(await CompressAsync(b, "-1"));
        var both = _temp.Combine("both.xz");
        await File.WriteAllBytesAsync(both, [.. xa, .. xb]);
        Assert.Equal(TestData.Sha256([.. a, .. b]), await DecodeHashAsync(both));
    }

    [RequiresToolFact("xz")]
    public async Task Read_SynchronousThroughNonSeekableWrapper_RoundTrips()
    {
        var data = TestData.Compressible(5, 1 << 20);
        var xz = await CompressAsync(data, "-T2", "--block-size=256KiB");
        using var decoder = new XzDecoderStream(new NonSeekableReadStream(File.OpenRead(xz), 1000));
        using var output = new MemoryStream();
        decoder.CopyTo(output, 3333);
        Assert.Equal(data, output.ToArray());
        Assert.False(decoder.CanSeek);
        Assert.Equal(0, decoder.Read(new byte[10]));
    }

    [RequiresToolFact("xz")]
    public async Task Read_TruncatedStream_ThrowsTruncated()
    {
        var xz = await File.ReadAllBytesAsync(await CompressAsync(TestData.Compressible(6, 500_000), "-6"));
        var cut = _temp.Combine("cut.xz");
        await File.WriteAllBytesAsync(cut, xz[..(xz.Length / 2)]);
        var e = await Assert.ThrowsAsync<XzException>(() => DecodeHashAsync(cut));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [RequiresToolFact("xz")]
    public async Task Read_CorruptedByte_ThrowsCorrupt()
    {
        var xz = await File.ReadAllBytesAsync(await CompressAsync(TestData.Compressible(7, 500_000), "-6"));
        xz[xz.Length / 2] ^= 0x55;
        var bad = _temp.Combine("bad.xz");
        await File.WriteAllBytesAsync(bad, xz);
        var e = await Assert.ThrowsAsync<XzException>(() => DecodeHashAsync(bad));
        Assert.Contains("corrupt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_WrongMagic_ThrowsNotXz()
    {
        var path = _temp.Combine("plain.tar");
        await File.WriteAllBytesAsync(path, TestData.Compressible(8, 10_000));
        var e = await Assert.ThrowsAsync<XzException>(() => DecodeHashAsync(path));
        Assert.Contains("not xz data", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_EmptyInput_Throws()
    {
        var path = _temp.Combine("empty.xz");
        await File.WriteAllBytesAsync(path, []);
        await Assert.ThrowsAsync<XzException>(() => DecodeHashAsync(path));
    }

    [RequiresToolFact("xz")]
    public async Task Read_StreamNeedsMoreThanMemoryLimit_ThrowsMemlimit()
    {
        var xz = await CompressAsync(TestData.Compressible(9, 100_000), "-9");
        var options = new XzDecoderOptions { MemoryLimit = 1 << 20 };
        var e = await Assert.ThrowsAsync<XzException>(() => DecodeHashAsync(xz, options));
        Assert.Contains("memory", e.Message, StringComparison.Ordinal);
    }

    private async Task<string> CompressAsync(byte[] data, params string[] flags)
    {
        var path = _temp.Combine($"data-{Guid.NewGuid():N}");
        await File.WriteAllBytesAsync(path, data);
        (await ExternalProcess.RunAsync("xz", [.. flags, "-k", path])).EnsureSuccess("xz");
        return path + ".xz";
    }

    private static async Task<string> DecodeHashAsync(string path, XzDecoderOptions? options = null)
    {
        await using var decoder = new XzDecoderStream(new NonSeekableReadStream(File.OpenRead(path)), options);
        return await TestData.Sha256Async(decoder);
    }
}
