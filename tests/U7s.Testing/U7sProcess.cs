using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace U7s.Testing;

/// <summary>
/// The real <c>u7s serve</c> as a child process (the u7s.dll next to the test assembly, or a given command), on free
/// loopback ports. Used where only a separate process shows the truth: peak memory, kill -9, restart.
/// </summary>
public sealed partial class U7sProcess : IAsyncDisposable
{
    private readonly Process _process;

    private U7sProcess(Process process, Uri registry, Uri sigstore)
    {
        _process = process;
        RegistryUrl = registry;
        SigstoreUrl = sigstore;
    }

    public Uri RegistryUrl { get; }

    public Uri SigstoreUrl { get; }

    public int Pid => _process.Id;

    public static Task<U7sProcess> StartAsync(string dataRoot, string sigstoreRoot, params string[] extra) =>
        StartAsync(dataRoot, sigstoreRoot, new Dictionary<string, string>(), extra);

    public static Task<U7sProcess> StartAsync(string dataRoot, string sigstoreRoot, IReadOnlyDictionary<string, string> environment, params string[] extra) =>
        StartAsync(["dotnet", Path.Combine(AppContext.BaseDirectory, "u7s.dll")], dataRoot, sigstoreRoot, environment, extra);

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
                _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                return new U7sProcess(process, new Uri(m.Groups["registry"].Value), new Uri(m.Groups["sigstore"].Value));
            }
        }
    }

    /// <summary>Peak resident set size of the server so far (VmHWM), in bytes.</summary>
    public long PeakRssBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("no VmHWM in /proc status");
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
