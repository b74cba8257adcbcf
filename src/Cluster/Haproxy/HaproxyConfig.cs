using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using U7s.Cluster.Node;

namespace U7s.Cluster.Haproxy;

/// <summary>
/// The haproxy configuration of SPEC §5.4 for N control planes: a TCP frontend on the control-plane
/// endpoint port and a round-robin backend of every API server. Rendered as a complete file (global
/// and defaults with timeouts) so <c>haproxy -c</c> checks it as it will run.
/// </summary>
public static partial class HaproxyConfig
{
    /// <summary>
    /// Parses <c>address</c> or <c>name=address</c> arguments; unnamed servers become master01, master02…
    /// Throws <see cref="ClusterException"/> (Usage) for an address haproxy could not use.
    /// </summary>
    public static IReadOnlyList<ControlPlaneServer> ParseServers(IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (arguments.Count == 0)
        {
            throw new ClusterException("give at least one control-plane address", ClusterErrorKind.Usage);
        }

        var servers = new List<ControlPlaneServer>();
        for (var i = 0; i < arguments.Count; i++)
        {
            var parts = arguments[i].Split('=', 2);
            var name = parts.Length == 2 ? parts[0] : $"master{i + 1:00}";
            var address = parts[^1];
            if (!ServerName().IsMatch(name))
            {
                throw new ClusterException($"not a server name: {name}", ClusterErrorKind.Usage);
            }

            if (!IsAddress(address))
            {
                throw new ClusterException($"not an IPv4 address or host name: {address}", ClusterErrorKind.Usage);
            }

            servers.Add(new ControlPlaneServer(name, address));
        }

        var duplicate = servers.GroupBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)
            ?? servers.GroupBy(s => s.Address, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ClusterException($"listed twice: {duplicate.Key}", ClusterErrorKind.Usage);
        }

        return servers;
    }

    /// <summary>True for a canonical dotted-quad IPv4 address or an RFC 1123 host name (not all digits).</summary>
    public static bool IsAddress(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Length > 0 && address.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            return RegistryAddress.IsIpv4(address);
        }

        return HostName().IsMatch(address) && address.Length <= 253;
    }

    public static string Render(IReadOnlyList<ControlPlaneServer> servers, int bindPort, int apiServerPort, HealthCheck check)
    {
        ArgumentNullException.ThrowIfNull(servers);
        if (servers.Count == 0 || servers.Any(s => !IsAddress(s.Address) || !ServerName().IsMatch(s.Name)))
        {
            throw new ClusterException("every control-plane server needs a valid name and address", ClusterErrorKind.Usage);
        }

        if (bindPort is < 1 or > 65535 || apiServerPort is < 1 or > 65535)
        {
            throw new ClusterException("ports must be 1-65535", ClusterErrorKind.Usage);
        }

        return RenderUnchecked(servers, bindPort, apiServerPort, check);
    }

    /// <summary>Renders without validating; only for showing that haproxy itself rejects what <see cref="Render"/> refuses.</summary>
    internal static string RenderUnchecked(IReadOnlyList<ControlPlaneServer> servers, int bindPort, int apiServerPort, HealthCheck check)
    {
        var text = new StringBuilder();
        var invariant = CultureInfo.InvariantCulture;
        text.Append(invariant, $"""
            # Written by u7s haproxy-config: Kubernetes API load balancer for {servers.Count} control-plane node(s).
            # Init the cluster with --control-plane-endpoint <this host>:{bindPort}; after each control-plane
            # join, regenerate with every master and reload haproxy.
            global
                log /dev/log local0
                maxconn 4096

            defaults
                log global
                mode tcp
                option tcplog
                timeout connect 5s
                timeout client 1h
                timeout server 1h

            frontend main
                bind *:{bindPort}
                mode tcp
                option tcplog
                default_backend apiserver

            backend apiserver
                option httpchk GET /healthz
                http-check expect status 200
                mode tcp

            """);
        if (check == HealthCheck.TlsHello)
        {
            text.Append("    option ssl-hello-chk\n");
        }

        text.Append("    balance     roundrobin\n");
        var suffix = check == HealthCheck.Https ? "check check-ssl verify none" : "check";
        foreach (var server in servers)
        {
            text.Append(invariant, $"    server {server.Name} {server.Address}:{apiServerPort} {suffix}\n");
        }

        return text.ToString();
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex ServerName();

    [GeneratedRegex(@"^(?=.*[A-Za-z])([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex HostName();
}
