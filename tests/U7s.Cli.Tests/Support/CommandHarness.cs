using System.CommandLine;

namespace U7s.Cli.Tests.Support;

/// <summary>
/// Invokes one verb through <see cref="CliApp.InvokeAsync"/> (the product's own parse-error,
/// <see cref="UserException"/> and exit-code handling), with a verb built over a test <c>NodeEnvironment</c>.
/// </summary>
internal static class CommandHarness
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(Command verb, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.InvokeAsync(new RootCommand("test") { verb }, [verb.Name, .. args], stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs <c>u7s</c> with <paramref name="args"/> as the product builds its root command.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunCliAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
