using System.Reflection;

namespace U7s.Cli.Tests.Release;

/// <summary>
/// The artifacts <c>tools/release.sh</c> writes, found through <c>U7S_RELEASE_DIR</c> (.ci/run builds them
/// once and sets it). Without it the release tests skip locally; under CI a missing artifact fails them.
/// </summary>
public static class ReleaseArtifacts
{
    public const string DirectoryVariable = "U7S_RELEASE_DIR";

    /// <summary>The product version these tests were built with, as the packages name it.</summary>
    public static string Version { get; } =
        typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

    public static string? Directory => Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } d ? Path.GetFullPath(d) : null;

    public static string Deb => PathOf($"u7s_{Version}_amd64.deb");

    public static string Rpm => PathOf($"u7s-{Version}-1.x86_64.rpm");

    public static string Tarball => PathOf($"u7s-{Version}-linux-amd64.tar.gz");

    /// <summary>Null when the tests can run; under CI always null, so a missing artifact is a failure.</summary>
    public static string? SkipReason =>
        Environment.GetEnvironmentVariable("CI") is { Length: > 0 } ? null
        : Directory is null ? $"{DirectoryVariable} is not set (run tools/release.sh, then set it to its output folder)"
        : !File.Exists(Path.Combine(Directory, $"u7s_{Version}_amd64.deb")) ? $"no u7s_{Version}_amd64.deb in {Directory} (run tools/release.sh)"
        : null;

    private static string PathOf(string file)
    {
        var directory = Directory ?? throw new InvalidOperationException($"{DirectoryVariable} is not set: CI must build the release (tools/release.sh) before the tests");
        var path = Path.Combine(directory, file);
        return File.Exists(path) ? path : throw new FileNotFoundException($"the release artifact {file} is missing from {directory}", path);
    }
}
