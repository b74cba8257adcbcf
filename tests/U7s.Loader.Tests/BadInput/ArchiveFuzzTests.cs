using System.Formats.Tar;
using System.Text;
using U7s.Loader.Archive;
using U7s.Loader.Loading;
using U7s.Loader.Xz;

namespace U7s.Loader.Tests.BadInput;

/// <summary>
/// Seeded, bounded mutations of tar entry names and of whole tar streams (headers included), read
/// through the real xz + tar reader: the only failure allowed is a <see cref="LoadException"/> with a
/// message, never a crash, and no accepted name ever leaves the archive's tree.
/// </summary>
public sealed class ArchiveFuzzTests
{
    [Fact]
    public void EntryPath_RandomNames_NeverEscape()
    {
        var random = new Random(11);
        string[] pieces = ["amd64", "blobs", "sha256", "..", ".", "", "/", "//", "a\0b", "index.json", "..a", "a..", "\\", "~"];
        for (var i = 0; i < 5000; i++)
        {
            var name = string.Join(random.Next(2) == 0 ? "/" : string.Empty, Enumerable.Range(0, random.Next(1, 6)).Select(_ => pieces[random.Next(pieces.Length)]));
            if (EntryPath.TryNormalize(name, out var normalized, out var error))
            {
                Assert.False(normalized.StartsWith('/'), name);
                Assert.DoesNotContain("..", normalized.Split('/'));
                Assert.DoesNotContain('\0', normalized);
                Assert.Null(error);
            }
            else
            {
                Assert.False(string.IsNullOrWhiteSpace(error));
            }
        }
    }

    [Fact]
    public async Task Reader_MutatedTarStreams_OnlyLoadErrors()
    {
        var valid = ValidTar();
        var random = new Random(12);
        var failures = 0;
        for (var i = 0; i < 150; i++)
        {
            var tar = (byte[])valid.Clone();
            for (var m = random.Next(1, 4); m > 0; m--)
            {
                // Mostly the header blocks, where names, sizes, types and checksums live.
                var at = random.Next(2) == 0 ? random.Next(512) : random.Next(tar.Length);
                tar[at] = (byte)random.Next(256);
            }

            if (random.Next(5) == 0)
            {
                Array.Resize(ref tar, random.Next(tar.Length));
            }

            try
            {
                var reader = new OciArchiveReader("amd64", 10 * 1024 * 1024);
                await reader.ReadAsync(new MemoryStream(Compress(tar)), async (entry, ct) =>
                {
                    var buffer = new byte[4096];
                    while (await entry.Data.ReadAsync(buffer, ct) > 0)
                    {
                    }
                }, CancellationToken.None);
            }
            catch (LoadException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                failures++;
            }
        }

        Assert.True(failures > 0, "no mutation was refused; the fuzzer reached nothing");
    }

    private static byte[] ValidTar()
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var (name, text) in new[]
            {
                ("amd64/oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}"),
                ("amd64/blobs/sha256/44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "hello"),
                ("amd64/index.json", "{\"schemaVersion\":2,\"manifests\":[]}"),
            })
            {
                writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });
            }
        }

        return buffer.ToArray();
    }

    private static byte[] Compress(byte[] data)
    {
        using var output = new MemoryStream();
        using (var xz = new XzEncoderStream(output, new XzEncoderOptions { Preset = 0 }, leaveOpen: true))
        {
            xz.Write(data);
        }

        return output.ToArray();
    }
}
