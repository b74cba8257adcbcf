using System.CommandLine;
using U7s.Cli;

namespace U7s.Cli.Tests.Commands;

/// <summary>Invokes one verb with captured output and the same error handling as <see cref="CliApp"/>.</summary>
internal static class VerbRunner
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(Command verb, params string[] args)
    {
        var root = new RootCommand { verb };
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var parse = root.Parse(args);
        try
        {
            var code = await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false }, CancellationToken.None);
            return (code, stdout.ToString(), stderr.ToString());
        }
        catch (UserException e)
        {
            return (e.ExitCode, stdout.ToString(), e.Message);
        }
    }
}
