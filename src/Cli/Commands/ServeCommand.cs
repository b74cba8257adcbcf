using System.CommandLine;

namespace U7s.Cli.Commands;

/// <summary><c>u7s serve</c>: the registry on :80 and the signature store on :81 in one process.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Run the registry (:80) and the signature store (:81)");
        command.SetAction((_, _) => Task.FromResult(ExitCodes.Failure));
        return command;
    }
}
