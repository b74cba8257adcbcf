using U7s.Loader.Tests.Support;
using U7s.Loader.Xz;
using U7s.Testing;

namespace U7s.Loader.Tests.Xz;

public sealed class XzEncoderStreamTests : IDisposable
{
    private readonly TempDirectory _temp = new("u7s-xzenc");

    public void Dispose() => _temp.Dispose();

    [RequiresToolFact("xz")]
    public async Task FinishAsync_MultiBlockOutput_DecodesWithXzProgramAndOurDecoder()
    {
        var data = TestData.Compressible(11, 3 << 20);
        var path = _temp.Combine("out.xz");
        await using (var file = File.Create(path))
        {
            await using var encoder = new XzEncoderStream(file, new XzEncoderOptions { Preset = 1, BlockSize = 1 << 20, Threads = 2 });
            for (var offset = 0; offset < data.Length; offset += 100_000)
            {
                await encoder.WriteAsync(data.AsMemory(offset, Math.Min(100_000, data.Length - offset)));
            }

            await encoder.FinishAsync(CancellationToken.None);
        }

        var list = (await ExternalProcess.RunAsync("xz", ["--robot", "--list", path])).EnsureSuccess("xz --list").StandardOutput;
        var totals = list.Split('\n').Single(l => l.StartsWith("totals", StringComparison.Ordinal)).Split('\t');
        Assert.Equal("3", totals[2]); // streams, blocks: one stream, three 1 MiB blocks
        Assert.Equal("1", totals[1]);
        var decoded = _temp.Combine("decoded");
        (await ExternalProcess.RunAsync("sh", ["-c", $"xz -dc '{path}' > '{decoded}'"])).EnsureSuccess("xz -dc");
        Assert.Equal(TestData.Sha256(data), TestData.Sha256(await File.ReadAllBytesAsync(decoded)));

        await using var decoder = new XzDecoderStream(File.OpenRead(path));
        Assert.Equal(TestData.Sha256(data), await TestData.Sha256Async(decoder));
    }

    [Fact]
    public async Task Write_AfterFinish_Throws()
    {
        using var sink = new MemoryStream();
        await using var encoder = new XzEncoderStream(sink, leaveOpen: true);
        await encoder.WriteAsync(new byte[] { 1, 2, 3 });
        await encoder.FinishAsync(CancellationToken.None);
        Assert.Equal(0xFD, sink.ToArray()[0]);
        Assert.Throws<InvalidOperationException>(() => encoder.Write([4]));
    }
}
