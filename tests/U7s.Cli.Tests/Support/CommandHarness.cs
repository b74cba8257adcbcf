using System.CommandLine;

namespace U7s.Cli.Tests.Support;

/// <summary>
/// Invokes one verb the way <c>CliApp.RunAsync</c> does (same invocation settings, same
/// <see cref="UserException"/> handling), with a verb built over a test <c>NodeEnvironment</c>.
/// </summary>
internal static class CommandHarness
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(Command verb, params string[] args)
    {
        var root = new RootCommand("test") { verb };
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        int code;
        try
        {
            code = await root.Parse([verb.Name, .. args]).InvokeAsync(config, CancellationToken.None);
        }
        catch (UserException e)
        {
            await stderr.WriteLineAsync($"u7s: {e.Message}");
            code = e.ExitCode;
        }

        return (code, stdout.ToString(), stderr.ToString());
    }
}
