namespace U7s.Cli.Tests.Commands;

/// <summary>
/// Decompression bombs against the real <c>u7s load-sign-oci</c> process: each is refused with one
/// line and the archive-format exit code, the process's peak memory stays far below the gibibyte
/// the archive claims (sampled from /proc while it runs, with the GC heap capped so an attempt to
/// allocate it fails loudly), nothing is published and no spool file is left.
/// </summary>
public sealed class LoadSignOciBombTests : IDisposable
{
    private const long PeakRssLimit = 200L << 20;

    private readonly TempDirectory _temp = new("u7s-bomb");

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("long-name", "u7s: refusing a tar GNU long name of 1.0 GiB (at most 64.0 KiB of tar metadata per entry)")]
    [InlineData("pax", "u7s: refusing a tar PAX extended header of 1.0 GiB (at most 64.0 KiB of tar metadata per entry)")]
    [InlineData("spool", "u7s: the archive expands to more than the limit of 1.0 GiB (at 'amd64/blobs/sha256/0000000000000000000000000000000000000000000000000000000000000000'); raise --max-expanded-size if the archive is trusted")]
    public async Task Bomb_RefusedInOneLineWithBoundedMemoryAndNothingPublished(string bomb, string message)
    {
        var archive = _temp.Combine($"{bomb}.tar.xz");
        await (bomb switch
        {
            "long-name" => TarBombs.WriteGnuLongNameAsync(archive),
            "pax" => TarBombs.WritePaxHeaderAsync(archive),
            _ => TarBombs.WriteOversizedBlobAsync(archive, 2 * TarBombs.OneGiB),
        });
        var keys = _temp.Combine("keys");
        (await CliResult.RunAsync("keys", "import", SampleKeys.PathOf("signer.sec.asc"), "--key-dir", keys)).Ensure();
        var policy = _temp.Combine("policy.json");
        await File.WriteAllTextAsync(policy, "{\"default\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"" + SampleKeys.PathOf("signer.pub.asc") + "\"}]}");
        var data = Directory.CreateDirectory(_temp.Combine("data")).FullName;
        var spool = Directory.CreateDirectory(_temp.Combine("spool")).FullName;

        var (result, peak) = await U7sProcess.RunVerbAsync(
            ["load-sign-oci", archive, "amd64", SampleKeys.SignerEmail, "--data", data, "--key-dir", keys, "--sigstore-root", _temp.Combine("sigstore"), "--policy", policy, "--temp-dir", spool],
            new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x10000000" });

        Assert.True(result.ExitCode == ExitCodes.InvalidInput, result.StandardError);
        Assert.Equal(message, result.StandardError.TrimEnd('\n'));
        Assert.True(peak < PeakRssLimit, $"peak RSS {peak >> 20} MiB");
        Assert.Empty(Directory.EnumerateFileSystemEntries(spool));
        Assert.DoesNotContain(Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories), f => !f.EndsWith("audit.log", StringComparison.Ordinal));
    }
}
