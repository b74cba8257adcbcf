namespace U7s.Cli.Tests.Commands;

/// <summary>Exit code and captured output of one in-process <c>u7s</c> invocation.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public CliResult Ensure() =>
        ExitCode == 0 ? this : throw new InvalidOperationException($"u7s exited {ExitCode}\nstdout: {Output}\nstderr: {Error}");
}
