using System.CommandLine;
using U7s.Cli.Commands;

namespace U7s.Cli;

/// <summary>Builds the root command and runs it; the only composition root of the product.</summary>
internal static class CliApp
{
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("u7s: a signed-image registry, signature store and node installer for air-gapped Kubernetes");
        // Verbs are added here, one line each.
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(GcCommand.Create());
        root.Subcommands.Add(LoadSignOciCommand.Create(LoaderServices.Default));
        root.Subcommands.Add(SaveOciCommand.Create());
        root.Subcommands.Add(CreatePolicyCommand.Create());
        root.Subcommands.Add(CreateServicesCommand.Create());
        root.Subcommands.Add(CreateImagemakerUserCommand.Create());
        root.Subcommands.Add(CreatePodmanUsersCommand.Create());
        root.Subcommands.Add(KubeadmCommand.Create());
        root.Subcommands.Add(HaproxyConfigCommand.Create());
        root.Subcommands.Add(KeysCommand.Create());
        root.Subcommands.Add(SignCommand.Create());
        root.Subcommands.Add(VerifyCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var root = BuildRoot();
        var parse = root.Parse(args);
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        try
        {
            return await parse.InvokeAsync(config, cancellationToken);
        }
        catch (UserException e)
        {
            await stderr.WriteLineAsync($"u7s: {e.Message}");
            return e.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("u7s: cancelled");
            return ExitCodes.Failure;
        }
#pragma warning disable CA1031 // The top level reports every other failure with its stack and exit code 1.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await stderr.WriteLineAsync($"u7s: unexpected error: {e}");
            return ExitCodes.Failure;
        }
    }
}
