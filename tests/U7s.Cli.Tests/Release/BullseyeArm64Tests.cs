namespace U7s.Cli.Tests.Release;

/// <summary>
/// The arm64 release under Debian's qemu-user-static, in a root of bullseye's arm64 runtime libraries:
/// it reports its version and <c>u7s serve</c> answers a signed pull by the host's skopeo.
/// </summary>
public sealed class BullseyeArm64Tests(BullseyeArm64Fixture fixture) : IClassFixture<BullseyeArm64Fixture>
{
    [RequiresReleaseFact("skopeo", "unshare", "chroot", "qemu-aarch64-static", Arch = "arm64")]
    public async Task Arm64Release_UnderQemu_PrintsItsVersion_AndServesASignedPull()
    {
        var version = await fixture.Root.RunAsync("--version");

        Assert.True(version.ExitCode == 0, version.StandardError);
        Assert.StartsWith(ReleaseArtifacts.Version, version.StandardOutput, StringComparison.Ordinal);
        Assert.Equal("ELF aarch64", ElfMachine(Path.Combine(fixture.Root.Path, fixture.Root.Program.TrimStart('/'))));
        await fixture.AssertSignedPullAsync("arm64");
    }

    /// <summary>The ELF header's machine field: 0xB7 is AArch64, 0x3E x86-64.</summary>
    private static string ElfMachine(string path)
    {
        Span<byte> header = stackalloc byte[20];
        using (var file = File.OpenRead(path))
        {
            file.ReadExactly(header);
        }

        return header[..4].SequenceEqual("\u007fELF"u8) ? $"ELF {(BitConverter.ToUInt16(header[18..]) switch { 0xB7 => "aarch64", 0x3E => "x86-64", var m => m.ToString(System.Globalization.CultureInfo.InvariantCulture) })}" : "not ELF";
    }
}
