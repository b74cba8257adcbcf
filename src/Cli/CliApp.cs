using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using U7s.Cli.Commands;
using U7s.Cluster;
using U7s.Oci;
using U7s.Server;

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
        root.Subcommands.Add(DemoArchiveCommand.Create());
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
        OptionalArgumentsHelpAction.Install(root);
        return root;
    }

    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken) =>
        InvokeAsync(BuildRoot(), args, stdout, stderr, cancellationToken);

    /// <summary>
    /// Parses and runs <paramref name="args"/> against <paramref name="root"/>. Every failure the user
    /// can act on (bad arguments, a <see cref="UserException"/>, a refused node operation) is one line
    /// on <paramref name="stderr"/> and a code from <see cref="ExitCodes"/>; only a bug prints a stack.
    /// </summary>
    public static async Task<int> InvokeAsync(Command root, string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(stderr);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            await stderr.WriteLineAsync($"u7s: {TerminalText.Escape(UsageError(parse))}");
            return ExitCodes.Usage;
        }

        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        try
        {
            return await parse.InvokeAsync(config, cancellationToken);
        }
        // Messages quote what servers, archives and signatures said: escaped, so they are inert and one line. Only a
        // node verb's refusal keeps its own line breaks (a preflight's list of problems); what it quotes from
        // elsewhere was escaped where it was quoted.
        catch (UserException e)
        {
            await stderr.WriteLineAsync($"u7s: {TerminalText.Escape(e.Message)}");
            return e.ExitCode;
        }
        catch (ServerException e)
        {
            await stderr.WriteLineAsync($"u7s: {TerminalText.Escape(e.Message)}");
            return e.Kind == ServerErrorKind.Unavailable ? ExitCodes.Unavailable : ExitCodes.Usage;
        }
        catch (ClusterException e)
        {
            await stderr.WriteLineAsync($"u7s: {TerminalText.EscapeLines(e.Message)}");
            return NodeCommandOptions.ExitCodeOf(e.Kind);
        }
        catch (StorageException e)
        {
            // A store a verb reads or writes directly (S3) did not answer or refused: the operator's to fix.
            await stderr.WriteLineAsync($"u7s: {TerminalText.Escape(e.Message)}");
            return ExitCodes.Unavailable;
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
            await stderr.WriteLineAsync($"u7s: unexpected error: {TerminalText.EscapeLines(e.ToString())}");
            return ExitCodes.Failure;
        }
    }

    // "--grace 'x' is not a time span (u7s gc --help)": every parse error on one line, and where to look.
    private static string UsageError(ParseResult parse)
    {
        var path = new List<string>();
        for (var result = parse.CommandResult; result is not null && result.Command is not RootCommand; result = result.Parent as CommandResult)
        {
            path.Insert(0, result.Command.Name);
        }

        var errors = string.Join("; ", parse.Errors.Select(e => e.Message.ReplaceLineEndings(" ").Trim()).Distinct(StringComparer.Ordinal));
        var guesses = parse.UnmatchedTokens
            .Select(token => (token, nearest: NearestName.Of(token, Names(parse.CommandResult.Command, token.StartsWith('-')))))
            .Where(g => g.nearest is not null)
            .Select(g => $"did you mean {g.nearest} for {g.token}?")
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var suggestion = guesses.Count > 0 ? " " + string.Join(' ', guesses) : string.Empty;
        return $"{errors}{suggestion} ({string.Join(' ', ["u7s", .. path])} --help)";
    }

    // What the user could have meant: a flag of the verb (its own and the recursive ones of its parents), or a verb under it.
    private static IEnumerable<string> Names(Command command, bool flags)
    {
        if (!flags)
        {
            return command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name));
        }

        var options = command.Options.AsEnumerable();
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
        {
            options = options.Concat(parent.Options.Where(o => o.Recursive));
        }

        return options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name));
    }
}
