using System.ComponentModel;
using System.Diagnostics;

namespace U7s.Cluster.Accounts;

/// <summary>Runs real programs without a shell; output is captured, stdin is closed.</summary>
public sealed class ProcessRunner : IProcessRunner
{
    public async Task<ProcessOutcome> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new ClusterException($"cannot start {program}");
        }
        catch (Win32Exception e)
        {
            throw new ClusterException($"cannot start {program}: {e.Message}", e);
        }

        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return new ProcessOutcome(process.ExitCode, await stdout, await stderr);
        }
    }
}
