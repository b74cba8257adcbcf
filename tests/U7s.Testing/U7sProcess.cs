using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace U7s.Testing;

/// <summary>
/// The real <c>u7s serve</c> as a child process (the u7s.dll next to the test assembly, or a given
/// command), on free loopback ports, and any other verb run once with <see cref="RunVerbAsync"/>. Used
/// where only a separate process shows the truth: peak memory, kill -9, restart.
/// </summary>
public sealed partial class U7sProcess : IAsyncDisposable
{
    private readonly Process _process;

    private U7sProcess(Process process, Uri registry, Uri sigstore, Task<string> output, Task<string> errors)
    {
        _process = process;
        RegistryUrl = registry;
        SigstoreUrl = sigstore;
        Output = output;
        Errors = errors;
    }

    /// <summary>What the server wrote to stdout after its start line (its log), complete once it exited.</summary>
    public Task<string> Output { get; }

    /// <summary>What the server wrote to stderr, complete once it exited.</summary>
    public Task<string> Errors { get; }

    public Uri RegistryUrl { get; }

    public Uri SigstoreUrl { get; }

    public int Pid => _process.Id;

    /// <summary>The u7s.dll the test project builds beside itself.</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "u7s.dll");

    /// <summary>
    /// Runs one <c>u7s</c> invocation to its end. <paramref name="unprivilegedHome"/> set: as the user
    /// nobody (setpriv), with that directory as HOME, the way an administrator runs it without sudo.
    /// </summary>
    public static Task<ProcessResult> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string? unprivilegedHome = null)
    {
        var dotnet = Tool.Find("dotnet") ?? "dotnet";
        if (unprivilegedHome is null)
        {
            return ExternalProcess.RunAsync(dotnet, [Dll, .. arguments], environment);
        }

        var asNobody = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>()) { ["HOME"] = unprivilegedHome, ["DOTNET_CLI_HOME"] = unprivilegedHome };
        return ExternalProcess.RunAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", dotnet, Dll, .. arguments], asNobody);
    }

    public static Task<U7sProcess> StartAsync(string dataRoot, string sigstoreRoot, params string[] extra) =>
        StartAsync(dataRoot, sigstoreRoot, new Dictionary<string, string>(), extra);

    public static Task<U7sProcess> StartAsync(string dataRoot, string sigstoreRoot, IReadOnlyDictionary<string, string> environment, params string[] extra) =>
        StartAsync(["dotnet", Dll], dataRoot, sigstoreRoot, environment, extra);

    /// <summary>
    /// <paramref name="command"/> followed by <c>serve</c> and its arguments: the build next to the tests
    /// (<c>dotnet u7s.dll</c>), or another u7s such as an installed binary behind a launcher.
    /// </summary>
    public static async Task<U7sProcess> StartAsync(IReadOnlyList<string> command, string dataRoot, string sigstoreRoot, IReadOnlyDictionary<string, string> environment, params string[] extra)
    {
        var psi = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in command.Skip(1).Concat(["serve", "--data", dataRoot, "--sigstore-root", sigstoreRoot, "--registry-listen", "127.0.0.1:0", "--sigstore-listen", "127.0.0.1:0"]).Concat(extra))
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start u7s");
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            if (line is null)
            {
                // stdout closes a moment before the process is reaped: wait, or ExitCode is not known yet.
                await process.WaitForExitAsync(timeout.Token);
                throw new InvalidOperationException($"u7s serve exited {process.ExitCode}: {await stderr}");
            }

            var m = Ready().Match(line);
            if (m.Success)
            {
                // Keep draining stdout so the child never blocks on a full pipe.
                var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                return new U7sProcess(process, new Uri(m.Groups["registry"].Value), new Uri(m.Groups["sigstore"].Value), output, stderr);
            }
        }
    }

    /// <summary>Peak resident set size of the server so far (VmHWM), in bytes.</summary>
    public long PeakRssBytes() => PeakRssOrNull(_process.Id) ?? throw new InvalidOperationException("no VmHWM in /proc status");

    /// <summary>
    /// Runs one <c>u7s</c> verb as its own process and samples its peak resident set size (VmHWM)
    /// every few milliseconds until it exits: the peak a verb reaches while it works, since
    /// the kernel drops the figure with the process.
    /// </summary>
    public static async Task<(ProcessResult Result, long PeakRssBytes)> RunVerbAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "u7s.dll"));
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start u7s");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        long peak = 0;
        while (!process.HasExited)
        {
            peak = Math.Max(peak, PeakRssOrNull(process.Id) ?? 0);
            await Task.Delay(5, timeout.Token);
        }

        await process.WaitForExitAsync(timeout.Token);
        return (new ProcessResult(process.ExitCode, await stdout, await stderr), peak);
    }

    private static long? PeakRssOrNull(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // The process exited between the check and the read.
        }

        return null;
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a power cut of the process.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"registry on (?<registry>https?://\S+?)/?, signature store on (?<sigstore>https?://\S+?)/?,")]
    private static partial Regex Ready();
}
