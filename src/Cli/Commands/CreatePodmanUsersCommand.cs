using System.CommandLine;
using U7s.Cluster.Accounts;
using U7s.Cluster.Files;
using U7s.Cluster.Users;

namespace U7s.Cli.Commands;

/// <summary><c>u7s create-podmanusers user…</c>: container users bound to the system policy (SPEC §4).</summary>
internal static class CreatePodmanUsersCommand
{
    public static Command Create(NodeEnvironment? environment = null)
    {
        environment ??= new NodeEnvironment();
        var common = new NodeCommandOptions();
        var users = new Argument<string[]>("user") { Description = "Accounts to create or adjust", Arity = ArgumentArity.OneOrMore };
        var command = new Command("create-podmanusers", "Create podman users (group podman) with an empty immutable ~/.config/containers");
        command.Arguments.Add(users);
        command.Options.Add(common.Root);
        command.Options.Add(common.DryRun);
        command.SetAction((parse, cancellationToken) => NodeCommandOptions.RunAsync(parse, async () =>
        {
            var root = common.NodeRoot(parse, environment);
            var plan = common.Plan(parse);
            var service = new PodmanUserService(new NodeFileWriter(root, environment.Time, environment.Ownership, plan), new SystemAccounts(root, environment.Runner, plan));
            var report = await service.RunAsync(parse.GetValue(users)!, cancellationToken);
            return plan is null ? report : NodeCommandOptions.PlanReport(plan);
        }));
        return command;
    }
}
