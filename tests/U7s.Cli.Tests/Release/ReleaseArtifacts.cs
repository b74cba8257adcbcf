using System.Reflection;

namespace U7s.Cli.Tests.Release;

/// <summary>
/// The artifacts <c>tools/release.sh</c> writes, found through <c>U7S_RELEASE_DIR</c> (.ci/run builds them
/// once and sets it), for both architectures (<c>amd64</c>, <c>arm64</c>). Without it the release tests
/// skip locally; under CI a missing artifact fails them.
/// </summary>
public static class ReleaseArtifacts
{
    public const string DirectoryVariable = "U7S_RELEASE_DIR";

    /// <summary>The newest glibc symbol version a release binary may need: Debian 11's glibc (ALT p10 has 2.32).</summary>
    public static readonly Version MaxGlibc = new(2, 31);

    /// <summary>The product version these tests were built with, as the packages name it.</summary>
    public static string Version { get; } =
        typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

    public static string? Directory => Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } d ? Path.GetFullPath(d) : null;

    public static string Deb => DebOf("amd64");

    public static string Rpm => RpmOf("amd64");

    public static string Tarball => TarballOf("amd64");

    public static string DebOf(string arch) => PathOf($"u7s_{Version}_{arch}.deb");

    public static string RpmOf(string arch) => PathOf($"u7s-{Version}-1.{RpmArch(arch)}.rpm");

    public static string TarballOf(string arch) => PathOf(TarballFolder(arch) + ".tar.gz");

    /// <summary>The one folder a tarball holds: <c>u7s-&lt;version&gt;-linux-&lt;arch&gt;</c>.</summary>
    public static string TarballFolder(string arch) => $"u7s-{Version}-linux-{arch}";

    public static string RpmArch(string arch) => arch switch
    {
        "amd64" => "x86_64",
        "arm64" => "aarch64",
        _ => throw new ArgumentOutOfRangeException(nameof(arch), arch, "amd64 or arm64"),
    };

    /// <summary>Null when the tests can run; under CI always null, so a missing artifact is a failure.</summary>
    public static string? SkipReason => SkipReasonFor("amd64");

    public static string? SkipReasonFor(string arch) =>
        Environment.GetEnvironmentVariable("CI") is { Length: > 0 } ? null
        : Directory is null ? $"{DirectoryVariable} is not set (run tools/release.sh, then set it to its output folder)"
        : !File.Exists(Path.Combine(Directory, $"u7s_{Version}_{arch}.deb")) ? $"no u7s_{Version}_{arch}.deb in {Directory} (run tools/release.sh)"
        : null;

    private static string PathOf(string file)
    {
        var directory = Directory ?? throw new InvalidOperationException($"{DirectoryVariable} is not set: CI must build the release (tools/release.sh) before the tests");
        var path = Path.Combine(directory, file);
        return File.Exists(path) ? path : throw new FileNotFoundException($"the release artifact {file} is missing from {directory}", path);
    }
}
