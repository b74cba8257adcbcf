using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace U7s.Cluster.Kubeadm;

/// <summary>
/// Runs the real <c>kubeadm</c>: stderr (its progress log) goes straight to the terminal, stdout is
/// captured and echoed line by line with the certificate key hidden.
/// </summary>
public sealed class KubeadmRunner(TextWriter echo, string program = "kubeadm") : IKubeadmRunner
{
    public string? MissingProblem()
    {
        var found = program.Contains('/', StringComparison.Ordinal)
            ? File.Exists(program)
            : (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Join(d, program)));
        return found ? null : NotInstalled;
    }

    private string NotInstalled => $"{program} is not installed (not found on PATH): install it, or run u7s kubeadm on a node that has it";

    public async Task<KubeadmOutcome> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new ClusterException($"cannot start {program}");
        }
        catch (Win32Exception e) when (e.NativeErrorCode == 2)
        {
            throw new ClusterException(NotInstalled, ClusterErrorKind.Unavailable);
        }
        catch (Win32Exception e)
        {
            throw new ClusterException($"cannot start {program}: {e.Message}", e);
        }

        using (process)
        {
            var captured = new StringBuilder();
            try
            {
                while (await process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
                {
                    captured.Append(line).Append('\n');
                    await echo.WriteLineAsync(KubeadmOutput.Redact(line));
                }

                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return new KubeadmOutcome(process.ExitCode, captured.ToString());
        }
    }
}
