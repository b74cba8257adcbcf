using System.Globalization;

namespace U7s.Bench;

/// <summary>
/// What a node admin waits for on every CLI call: the wall time of <c>u7s --version</c> (process start
/// alone) and of <c>u7s verify</c> of a signed image (start, one manifest GET, OpenPGP verification),
/// for the JIT build (<c>dotnet u7s.dll</c>) and the Native AOT binary; medians of several runs.
/// </summary>
internal static class StartupWorkloads
{
    public const string Version = "--version wall time (ms)";
    public const string Verify = "verify wall time (ms)";
    public const double TargetMs = 30;

    private const string Email = "startup@example.test";

    public static void Declare(Report report)
    {
        report.Compare(Version, "ms", "u7s", 0, false, string.Empty, "u7s-aot");
        report.Compare(Verify, "ms", "u7s", 0, false, string.Empty, "u7s-aot");
    }

    public static async Task RunAsync(Report report, BenchOptions options, Servers servers, string root)
    {
        var work = Directory.CreateDirectory(Path.Combine(root, "startup")).FullName;
        var keyDir = Path.Combine(work, "keys");
        var jit = RegistryServers.JitCommand;
        var image = $"registry.local/bench/app:v1";
        string[] sigstore = ["--sigstore-root", servers.WwwRoot];

        // verify trusts only the keys it is given (or root's /etc/u7s/keys, which a bench never writes).
        string[] keyring = ["--keyring", Path.Combine(servers.WwwRoot, "keys", "startup.pgp")];
        await BenchProcess.RunAsync(jit[0], [.. jit.Skip(1), "keys", "generate", "--name", "Startup", "--email", Email, "--bits", "2048", "--no-passphrase", "--key-dir", keyDir, "--publish", "--user", "startup", .. sigstore]);
        await BenchProcess.RunAsync(jit[0], [.. jit.Skip(1), "sign", image, "--key", Email, "--key-dir", keyDir, "--registry-url", servers.U7s.Url.ToString(), .. sigstore]);

        var builds = new List<(string Name, IReadOnlyList<string> Command, ServerProcess Server)> { ("u7s", jit, servers.U7s) };
        if (options.AotBinary is not null && servers.U7sAot is not null)
        {
            builds.Add(("u7s-aot", [options.AotBinary], servers.U7sAot));
        }

        for (var run = 0; run < options.StartupRuns; run++)
        {
            foreach (var (name, command, server) in run % 2 == 0 ? builds : Enumerable.Reverse(builds))
            {
                report.Add(Version, name, (await BenchProcess.RunAsync(command[0], [.. command.Skip(1), "--version"])).TotalMilliseconds);
                report.Add(Verify, name, (await BenchProcess.RunAsync(command[0], [.. command.Skip(1), "verify", image, "--registry-url", server.Url.ToString(), .. sigstore, .. keyring])).TotalMilliseconds);
            }
        }
    }

    /// <summary>One line against the startup target, for the AOT binary (the JIT build cannot meet it).</summary>
    public static string Summary(Report report)
    {
        var version = report.Median(Version, "u7s-aot");
        var verify = report.Median(Verify, "u7s-aot");
        if (version is null || verify is null)
        {
            return "startup: no AOT binary in this run (set U7S_AOT_BINARY or let bench/run build one)";
        }

        var met = version <= TargetMs && verify <= TargetMs;
        return string.Create(CultureInfo.InvariantCulture,
            $"startup: u7s-aot --version {version:F0} ms, verify {verify:F0} ms (JIT {report.Median(Version, "u7s"):F0} / {report.Median(Verify, "u7s"):F0} ms); target <= {TargetMs:F0} ms: {(met ? "met" : "MISSED")}");
    }
}
