using System.CommandLine;
using U7s.Cluster.Files;
using U7s.Cluster.Haproxy;

namespace U7s.Cli.Commands;

/// <summary><c>u7s haproxy-config &lt;master&gt;…</c>: the API load balancer config for N control planes (SPEC §5.4).</summary>
internal static class HaproxyConfigCommand
{
    public static Command Create(NodeEnvironment? environment = null)
    {
        environment ??= new NodeEnvironment();
        var masters = new Argument<string[]>("master") { Arity = ArgumentArity.OneOrMore, Description = "Control-plane address, or name=address" };
        var bindPort = new Option<int>("--bind-port") { DefaultValueFactory = _ => 8443, Description = "Port of the control-plane endpoint" };
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
        command.Options.Add(common.Root);
        command.SetAction((parse, cancellationToken) => NodeCommandOptions.RunAsync(parse, async () =>
        {
            var servers = HaproxyConfig.ParseServers(parse.GetValue(masters)!);
            var mode = parse.GetValue(check) == "tls-hello" ? HealthCheck.TlsHello : HealthCheck.Https;
            var text = HaproxyConfig.Render(servers, parse.GetValue(bindPort), parse.GetValue(apiPort), mode);
            if (parse.GetValue(output) is not { } path)
            {
                await parse.InvocationConfiguration.Output.WriteAsync(text);
                return [];
            }

            var nodeRoot = common.NodeRoot(parse, environment);
            var change = await new NodeFileWriter(nodeRoot, environment.Time).WriteAsync(path, text, FileModes.Mode0644, cancellationToken);
            return [change.ToString(), "reload haproxy to apply (systemctl reload haproxy)"];
        }, sayNothingToChange: false));
        return command;
    }
}
