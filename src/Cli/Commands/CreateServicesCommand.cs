using System.CommandLine;
using U7s.Cluster.Files;
using U7s.Cluster.Services;

namespace U7s.Cli.Commands;

/// <summary><c>u7s create-services</c>: the systemd unit for <c>u7s serve</c> (:80 and :81), enabled when systemd runs.</summary>
internal static class CreateServicesCommand
{
    public static Command Create(NodeEnvironment? environment = null)
    {
        environment ??= new NodeEnvironment();
        var common = new NodeCommandOptions();
        var executable = new Option<string>("--exec")
        {
            Description = "Absolute path of the u7s executable the unit runs (default: this program)",
            DefaultValueFactory = _ => environment.ExecutablePath,
        };
        var config = new Option<string?>("--config")
        {
            Description = "Config file the unit's `u7s serve` reads (absolute path; the packages use /etc/u7s/u7s.yaml)",
        };
        var command = new Command("create-services", "Install and enable the u7s systemd unit (registry :80, signature store :81)");
        command.Options.Add(executable);
        command.Options.Add(config);
        command.Options.Add(common.Root);
        command.SetAction((parse, cancellationToken) => NodeCommandOptions.RunAsync(parse, () =>
        {
            var root = common.NodeRoot(parse, environment);
            var service = new CreateServicesService(new NodeFileWriter(root, environment.Time), environment.Runner);
            // The marker is checked on the real machine: a staging tree says nothing about whether systemd runs here.
            var systemd = Directory.Exists(environment.SystemdMarker);
            return service.RunAsync(parse.GetValue(executable)!, parse.GetValue(config), systemd, cancellationToken);
        }));
        return command;
    }
}
