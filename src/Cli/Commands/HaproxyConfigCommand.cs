using System.CommandLine;
using U7s.Cluster.Files;
using U7s.Cluster.Haproxy;

namespace U7s.Cli.Commands;

/// <summary>
/// <c>u7s haproxy-config &lt;master&gt;…</c>: the API load balancer config for N control planes (SPEC §5.4);
/// with <c>--registry</c>, the balancer in front of N <c>u7s serve</c> replicas sharing one S3 store.
/// </summary>
internal static class HaproxyConfigCommand
{
    public static Command Create(NodeEnvironment? environment = null)
    {
        environment ??= new NodeEnvironment();
        var masters = new Argument<string[]>("master") { Arity = ArgumentArity.OneOrMore, Description = "Control-plane address, or name=address (with --registry: [name=]address[:registry-port[:store-port]])" };
        var bindPort = new Option<int>("--bind-port") { DefaultValueFactory = _ => 8443, Description = "Port of the control-plane endpoint (with --registry: the registry port, default 80)" };
        var registry = new Option<bool>("--registry") { Description = "Balance u7s serve replicas (registry and signature store) instead of API servers" };
        var sigstoreBindPort = new Option<int>("--sigstore-bind-port") { DefaultValueFactory = _ => 81, Description = "With --registry: the signature store port" };
        var bindAddress = new Option<string>("--bind-address") { DefaultValueFactory = _ => "*", Description = "With --registry: the address haproxy listens on" };
        var statsSocket = new Option<string?>("--stats-socket") { Description = "With --registry: a haproxy stats socket path" };
        var apiPort = new Option<int>("--apiserver-port") { DefaultValueFactory = _ => 6443 };
        var check = new Option<string>("--health-check")
        {
            DefaultValueFactory = _ => "https",
            Description = "https: real GET /healthz over TLS; tls-hello: the install guide's block (probes only the TLS handshake)",
        };
        check.AcceptOnlyFromAmong("https", "tls-hello");
        var output = new Option<string?>("--output", "-o") { Description = "Write to this node path (e.g. /etc/haproxy/haproxy.cfg) instead of stdout" };
        var common = new NodeCommandOptions();
        var command = new Command("haproxy-config", "Render the haproxy config balancing the Kubernetes API over every control-plane node");
        command.Arguments.Add(masters);
        command.Options.Add(bindPort);
        command.Options.Add(apiPort);
        command.Options.Add(check);
        command.Options.Add(output);
        command.Options.Add(registry);
        command.Options.Add(sigstoreBindPort);
        command.Options.Add(bindAddress);
        command.Options.Add(statsSocket);
        command.Options.Add(common.Root);
        command.SetAction((parse, cancellationToken) => NodeCommandOptions.RunAsync(parse, async () =>
        {
            string text;
            if (parse.GetValue(registry))
            {
                var replicas = RegistryReplicasConfig.ParseReplicas(parse.GetValue(masters)!);
                var port = parse.GetResult(bindPort) is { Implicit: false } ? parse.GetValue(bindPort) : 80;
                text = RegistryReplicasConfig.Render(replicas, parse.GetValue(bindAddress)!, port, parse.GetValue(sigstoreBindPort), parse.GetValue(statsSocket));
            }
            else
            {
                var servers = HaproxyConfig.ParseServers(parse.GetValue(masters)!);
                var mode = parse.GetValue(check) == "tls-hello" ? HealthCheck.TlsHello : HealthCheck.Https;
                text = HaproxyConfig.Render(servers, parse.GetValue(bindPort), parse.GetValue(apiPort), mode);
            }

            if (parse.GetValue(output) is not { } path)
            {
                await parse.InvocationConfiguration.Output.WriteAsync(text);
                return [];
            }

            var nodeRoot = common.NodeRoot(parse, environment);
            var change = await new NodeFileWriter(nodeRoot, environment.Time, environment.Ownership).WriteAsync(path, text, FileModes.Mode0644, cancellationToken);
            return [change.ToString(), "reload haproxy to apply (systemctl reload haproxy)"];
        }, sayNothingToChange: false));
        return command;
    }
}
