namespace U7s.Cli.Tests.Commands;

/// <summary>Exit code and captured output of one in-process <c>u7s</c> invocation.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    /// <summary>Runs <c>u7s</c> with <paramref name="args"/> in this process, as <c>Program</c> does, output captured.</summary>
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr, CancellationToken.None);
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }

    public CliResult Ensure() =>
        ExitCode == 0 ? this : throw new InvalidOperationException($"u7s exited {ExitCode}\nstdout: {Output}\nstderr: {Error}");
}
