using System.Text.RegularExpressions;

namespace U7s.Cli.Tests.Release;

/// <summary>
/// What each release binary and package asks of a node: no glibc symbol newer than 2.31 (Debian 11;
/// ALT p10 has 2.32), the rpm's requirements by soname only (ALT and other rpm distributions name their
/// packages differently), the .deb's <c>libc6</c> floor at most 2.31, each for its own architecture.
/// </summary>
public sealed partial class ReleaseRequirementsTests : IDisposable
{
    private readonly TempDirectory _temp = new("u7s-requires");

    public void Dispose() => _temp.Dispose();

    [RequiresReleaseFact("llvm-objdump", "tar")]
    public Task Amd64Binary_NeedsGlibc231AtMost() => BinaryNeedsGlibc231AtMostAsync("amd64", "elf64-x86-64");

    [RequiresReleaseFact("llvm-objdump", "tar", Arch = "arm64")]
    public Task Arm64Binary_NeedsGlibc231AtMost() => BinaryNeedsGlibc231AtMostAsync("arm64", "elf64-littleaarch64");

    [RequiresReleaseFact("rpm")]
    public Task Amd64Rpm_RequiresSonamesAndGlibc231AtMost() => RpmRequiresSonamesAsync("amd64");

    [RequiresReleaseFact("rpm", Arch = "arm64")]
    public Task Arm64Rpm_RequiresSonamesAndGlibc231AtMost() => RpmRequiresSonamesAsync("arm64");

    [RequiresReleaseFact("dpkg-deb")]
    public Task Amd64Deb_DependsOnLibc6AtMost231() => DebDependsAsync("amd64");

    [RequiresReleaseFact("dpkg-deb", Arch = "arm64")]
    public Task Arm64Deb_DependsOnLibc6AtMost231() => DebDependsAsync("arm64");

    private async Task BinaryNeedsGlibc231AtMostAsync(string arch, string format)
    {
        (await ExternalProcess.RunAsync("tar", ["-xzf", ReleaseArtifacts.TarballOf(arch), "-C", _temp.Path])).EnsureSuccess("tar -x");
        // LLVM's objdump reads both architectures (binutils' reads only the host's).
        var symbols = (await ExternalProcess.RunAsync("llvm-objdump", ["-T", Path.Combine(_temp.Path, ReleaseArtifacts.TarballFolder(arch), "u7s")])).EnsureSuccess("llvm-objdump -T").StandardOutput;

        Assert.Contains($"file format {format}", symbols, StringComparison.Ordinal);
        var versions = GlibcVersions(symbols);
        Assert.NotEmpty(versions);
        Assert.All(versions, v => Assert.True(v <= ReleaseArtifacts.MaxGlibc, $"needs GLIBC_{v}"));
    }

    private static async Task RpmRequiresSonamesAsync(string arch)
    {
        var requires = (await ExternalProcess.RunAsync("rpm", ["-qpR", ReleaseArtifacts.RpmOf(arch)])).EnsureSuccess("rpm -qpR").StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var arch64 = (await ExternalProcess.RunAsync("rpm", ["-qp", "--qf", "%{ARCH}", ReleaseArtifacts.RpmOf(arch)])).EnsureSuccess("rpm -qp").StandardOutput;

        Assert.Equal(ReleaseArtifacts.RpmArch(arch), arch64);
        // Only sonames (and rpm's own and the scriptlets' shell): no package names to resolve.
        Assert.All(requires, r => Assert.True(Soname().IsMatch(r) || r.StartsWith("rpmlib(", StringComparison.Ordinal) || r is "/bin/sh" || r.StartsWith("config(u7s)", StringComparison.Ordinal), r));
        Assert.Contains("libc.so.6()(64bit)", requires);
        Assert.Contains("liblzma.so.5()(64bit)", requires);
        var versions = GlibcVersions(string.Join('\n', requires));
        Assert.NotEmpty(versions);
        Assert.All(versions, v => Assert.True(v <= ReleaseArtifacts.MaxGlibc, $"requires GLIBC_{v}"));
    }

    private static async Task DebDependsAsync(string arch)
    {
        var fields = (await ExternalProcess.RunAsync("dpkg-deb", ["-f", ReleaseArtifacts.DebOf(arch), "Architecture", "Depends"])).EnsureSuccess("dpkg-deb -f").StandardOutput;

        Assert.Contains($"Architecture: {arch}\n", fields, StringComparison.Ordinal);
        var libc = Libc6Floor().Match(fields);
        Assert.True(libc.Success, fields);
        Assert.True(Version.Parse(libc.Groups[1].Value) <= ReleaseArtifacts.MaxGlibc, fields);
        Assert.Contains("libssl3 | libssl1.1", fields, StringComparison.Ordinal);
        Assert.Contains("liblzma5", fields, StringComparison.Ordinal);
    }

    private static List<Version> GlibcVersions(string text) =>
        Glibc().Matches(text).Select(m => Version.Parse(m.Groups[1].Value)).ToList();

    [GeneratedRegex(@"GLIBC_([0-9]+(?:\.[0-9]+)+)")]
    private static partial Regex Glibc();

    [GeneratedRegex(@"^[A-Za-z0-9_.+-]+\.so(\.[0-9]+)*\((GLIBC_[0-9.]+)?\)\(64bit\)$")]
    private static partial Regex Soname();

    [GeneratedRegex(@"Depends: libc6 \(>= ([0-9.]+)\)")]
    private static partial Regex Libc6Floor();
}
