using System.Diagnostics;

namespace U7s.Bench;

/// <summary>Runs one program to completion, wall-clock timed, output drained; fails loudly on a nonzero exit.</summary>
internal static class BenchProcess
{
    public static async Task<TimeSpan> RunAsync(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? standardInput = null) =>
        (await CaptureAsync(fileName, arguments, environment, standardInput)).Elapsed;

    /// <summary>As <see cref="RunAsync"/>, also returning standard output.</summary>
    public static async Task<(TimeSpan Elapsed, string Output)> CaptureAsync(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? standardInput = null)
    {
        var psi = new ProcessStartInfo(fileName) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = standardInput is not null };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
            process.StandardInput.Close();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        watch.Stop();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', psi.ArgumentList)} exited {process.ExitCode}: {(await stderr).Trim()} {(await stdout).Trim()}");
        }

        return (watch.Elapsed, await stdout);
    }

    /// <summary>Runs a shell line (<c>sh -c</c>) with positional arguments, so redirections are the shell's.</summary>
    public static Task<TimeSpan> ShellAsync(string script, params string[] arguments) =>
        RunAsync("/bin/sh", ["-c", script, "sh", .. arguments]);
}
