using System.CommandLine;
using System.Runtime.CompilerServices;
using U7s.Cluster.Accounts;
using U7s.Cluster.Files;
using U7s.Cluster.Node;
using U7s.Cluster.Services;

namespace U7s.Cli.Commands;

/// <summary>
/// <c>u7s create-services</c>: the service account and the systemd unit for <c>u7s serve</c> (:80 and :81, as user
/// <c>u7s</c>), enabled when systemd runs.
/// </summary>
internal static class CreateServicesCommand
{
    public static Command Create(NodeEnvironment? environment = null)
    {
        environment ??= new NodeEnvironment();
        var common = new NodeCommandOptions();
        var executable = new Option<string>("--exec")
        {
            Description = "Absolute path of the u7s executable the unit runs (default: this program); the same build as this one, since the unit's memory rules follow it",
            DefaultValueFactory = _ => environment.ExecutablePath,
        };
        var data = new Option<string>("--data")
        {
            Description = "Registry data root the service owns and writes",
            DefaultValueFactory = _ => NodePaths.DataRoot,
        };
        var sigstoreRoot = new Option<string>("--sigstore-root")
        {
            Description = "Signature store tree the service serves and adds signatures to",
            DefaultValueFactory = _ => NodePaths.SigstoreRoot,
        };
        var config = new Option<string?>("--config")
        {
            Description = "Config file the unit's `u7s serve` reads (absolute path; the packages use /etc/u7s/u7s.yaml)",
        };
        var print = new Option<bool>("--print")
        {
            Description = "Only print the unit to stdout: no account, no file, no systemctl (the release packages ship this text)",
        };
        var command = new Command("create-services", "Install and enable the u7s systemd unit (registry :80, signature store :81) running as user u7s");
        command.Options.Add(executable);
        command.Options.Add(data);
        command.Options.Add(sigstoreRoot);
        command.Options.Add(config);
        command.Options.Add(print);
        command.Options.Add(common.Root);
        command.Options.Add(common.DryRun);
        command.SetAction((parse, cancellationToken) => NodeCommandOptions.RunAsync(parse, async () =>
        {
            // The native build writing the unit runs no JIT, so the unit may forbid writable-executable memory.
            var request = new ServiceRequest(
                parse.GetValue(executable)!, parse.GetValue(data)!, parse.GetValue(sigstoreRoot)!, parse.GetValue(config), NativeCode: !RuntimeFeature.IsDynamicCodeCompiled);
            if (parse.GetValue(print))
            {
                return [ServiceUnit.Render(request).TrimEnd('\n')];
            }

            var root = common.NodeRoot(parse, environment);
            var plan = common.Plan(parse);
            IProcessRunner runner = plan is null ? environment.Runner : new PlanningRunner(plan);
            var service = new CreateServicesService(new NodeFileWriter(root, environment.Time, environment.Ownership, plan), new SystemAccounts(root, environment.Runner, plan), runner);
            // The marker is checked on the real machine: a staging tree says nothing about whether systemd runs here.
            var systemd = Directory.Exists(environment.SystemdMarker);
            var report = await service.RunAsync(request, systemd, cancellationToken);
            return plan is null ? report : NodeCommandOptions.PlanReport(plan);
        }));
        return command;
    }
}
