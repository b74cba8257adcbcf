using System.CommandLine;
using U7s.Cluster.Accounts;
using U7s.Cluster.Files;
using U7s.Cluster.Node;

namespace U7s.Cli.Commands;

/// <summary><c>u7s create-policy &lt;registry-ip&gt;</c>: container policy and trust files of a node (SPEC §4).</summary>
internal static class CreatePolicyCommand
{
    public static Command Create(NodeEnvironment? environment = null)
    {
        environment ??= new NodeEnvironment();
        var common = new NodeCommandOptions();
        var address = new Argument<string>("registry-ip") { Description = "Address of registry.local and sigstore.local (not loopback)" };
        var role = new Option<string>("--role")
        {
            Description = "registry: this node serves the registry and signatures; node: download keys and policy from it; auto: registry if the address is local",
            DefaultValueFactory = _ => "auto",
        };
        role.AcceptOnlyFromAmong("auto", "registry", "node");
        var acceptNewKeys = new Option<bool>("--accept-new-keys")
        {
            Description = "Take a downloaded policy that trusts other keys, or keys for other images, than this node trusts now (refused without it; the first download is taken and its fingerprints printed)",
        };
        var trustFingerprint = new Option<string[]>("--trust-fingerprint")
        {
            Description = "Trust only keys with this fingerprint (40 hex; repeat for each signer): a download naming any other key is refused, the first one too",
            AllowMultipleArgumentsPerToken = false,
        };
        trustFingerprint.Validators.Add(result =>
        {
            foreach (var value in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (value.Length != 40 || !value.All(char.IsAsciiHexDigit))
                {
                    result.AddError($"--trust-fingerprint takes a 40-digit hex fingerprint, not '{value}'");
                }
            }
        });

        var command = new Command("create-policy", "Write hosts entry, groups, /var/sigstore, policy.json, registries.d, registries.conf and the pause image");
        command.Arguments.Add(address);
        command.Options.Add(role);
        command.Options.Add(acceptNewKeys);
        command.Options.Add(trustFingerprint);
        common.AddTo(command);
        command.SetAction((parse, cancellationToken) => NodeCommandOptions.RunAsync(parse, async () =>
        {
            var root = common.NodeRoot(parse, environment);
            var options = common.Cluster(parse);
            var ip = parse.GetValue(address)!;
            var nodeRole = parse.GetValue(role) switch
            {
                "registry" => NodeRole.Registry,
                "node" => NodeRole.Node,
                _ => environment.IsLocalAddress(ip) ? NodeRole.Registry : NodeRole.Node,
            };
            using var http = environment.CreateHttpClient(common.Login(parse));
            var plan = common.Plan(parse);
            var service = new CreatePolicyService(
                new NodeFileWriter(root, environment.Time, environment.Ownership, plan), new SystemAccounts(root, environment.Runner, plan), new KeyFetcher(http), environment.KeyInspector, options);
            var report = await service.RunAsync(new CreatePolicyRequest(ip, nodeRole, parse.GetValue(acceptNewKeys), parse.GetValue(trustFingerprint)), cancellationToken);
            if (plan is not null)
            {
                return [$"role: {nodeRole.ToString().ToLowerInvariant()}", .. NodeCommandOptions.PlanReport(plan)];
            }

            // The role is reported with the outcome, never ahead of a refusal.
            return [$"role: {nodeRole.ToString().ToLowerInvariant()}", .. report.Count == 0 ? ["nothing to change"] : report];
        }));
        return command;
    }
}
