using System.Globalization;

namespace U7s.Bench;

/// <summary>
/// What a node admin waits for on every CLI call: the wall time of <c>u7s --version</c> (process start
/// alone) and of <c>u7s verify</c> of a signed image (start, one manifest GET, OpenPGP verification),
/// for the JIT build (<c>dotnet u7s.dll</c>) and the Native AOT binary; medians of several runs. And what an
/// admin restarting the service waits for: <c>u7s serve</c> from exec to the first 200 on <c>/readyz</c>, and from
/// SIGTERM to exit with a client holding a request that waits for its body.
/// </summary>
internal static class StartupWorkloads
{
    public const string Version = "--version wall time (ms)";
    public const string Verify = "verify wall time (ms)";
    public const string ServeReady = "serve start to /readyz 200 (ms)";
    public const string ServeStop = "serve stop, request open (ms)";
    public const double TargetMs = 30;

    private const string Email = "startup@example.test";

    public static void Declare(Report report)
    {
        report.Compare(Version, "ms", "u7s", 0, false, string.Empty, "u7s-aot");
        report.Compare(Verify, "ms", "u7s", 0, false, string.Empty, "u7s-aot");
        report.Compare(ServeReady, "ms", "u7s", 0, false, string.Empty, "u7s-aot");
        report.Compare(ServeStop, "ms", "u7s", 0, false, string.Empty, "u7s-aot");
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
                var (ready, stop) = await ServeLifecycleAsync(command, Path.Combine(work, $"serve-{name}-{run}"));
                report.Add(ServeReady, name, ready);
                report.Add(ServeStop, name, stop);
            }
        }
    }

    /// <summary>One <c>u7s serve</c> over an empty store: milliseconds to the first 200 on <c>/readyz</c>, then from SIGTERM to exit.</summary>
    private static async Task<(double Ready, double Stop)> ServeLifecycleAsync(IReadOnlyList<string> command, string directory)
    {
        var port = ServerProcess.FreePort();
        var psi = new System.Diagnostics.ProcessStartInfo(command[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in command.Skip(1).Concat(["serve", "--data", Path.Combine(directory, "data"), "--sigstore-root", Path.Combine(directory, "sig"),
            "--registry-listen", $"127.0.0.1:{port}", "--sigstore-listen", $"127.0.0.1:{ServerProcess.FreePort()}"]))
        {
            psi.ArgumentList.Add(a);
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var process = System.Diagnostics.Process.Start(psi) ?? throw new InvalidOperationException("cannot start u7s serve");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var readyz = new Uri($"http://127.0.0.1:{port}/readyz");
        while (true)
        {
            if (process.HasExited || clock.Elapsed > TimeSpan.FromMinutes(1))
            {
                throw new InvalidOperationException($"u7s serve did not become ready (exit {(process.HasExited ? process.ExitCode : -1)})");
            }

            try
            {
                using var response = await client.GetAsync(readyz);
                if (response.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(5);
        }

        var ready = clock.Elapsed.TotalMilliseconds;

        // A chunk that announces more than it sends: the server waits for the rest when the stop comes.
        using var slow = new System.Net.Sockets.TcpClient();
        await slow.ConnectAsync(System.Net.IPAddress.Loopback, port);
        await slow.GetStream().WriteAsync("PATCH /v2/bench/blobs/uploads/x HTTP/1.1\r\nHost: b\r\nContent-Length: 100000\r\n\r\nabc"u8.ToArray());
        await Task.Delay(200);
        clock.Restart();
        await BenchProcess.RunAsync("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
        await process.WaitForExitAsync();
        return (ready, clock.Elapsed.TotalMilliseconds);
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
            $"startup: u7s-aot --version {version:F0} ms, verify {verify:F0} ms (JIT {report.Median(Version, "u7s"):F0} / {report.Median(Verify, "u7s"):F0} ms); target <= {TargetMs:F0} ms: {(met ? "met" : "MISSED")}; "
            + $"serve ready {report.Median(ServeReady, "u7s-aot"):F0} ms, stop {report.Median(ServeStop, "u7s-aot"):F0} ms");
    }
}
