using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace U7s.Cluster.Haproxy;

/// <summary>
/// The haproxy configuration for several <c>u7s serve</c> replicas over one shared S3 store: an HTTP
/// frontend per port (registry, signature store), each balanced round robin over every replica. A replica
/// is taken out after two failed <c>GET /readyz</c> probes of its registry port (the store's port is probed
/// there too: both live in one process). Readiness fails while the replica's store does not answer, so a stalled
/// store takes replicas out instead of holding clients; a replica that only lost its store is not restarted
/// (<c>/livez</c> is its liveness). And an idempotent request that could not reach a replica is sent
/// to another one, so a dead replica costs pulls nothing once it is marked down. Every connection to a
/// replica starts with a PROXY protocol v2 header (health checks too), so replicas see each client's own
/// address and MUST run with <c>Server:ProxyProtocol: true</c> and this host in <c>Server:TrustedProxies</c>;
/// a replica without the first reads the header as a bad request and refuses everything, so a proxied client
/// can never pass for one on the replica's host, and one without the second closes haproxy's connections.
/// </summary>
public static partial class RegistryReplicasConfig
{
    /// <summary>
    /// Parses <c>[name=]address[:registry-port[:store-port]]</c> arguments (ports default to 80 and 81);
    /// unnamed replicas become u7s01, u7s02… Throws <see cref="ClusterException"/> (Usage) on a bad one.
    /// </summary>
    public static IReadOnlyList<RegistryReplica> ParseReplicas(IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (arguments.Count == 0)
        {
            throw new ClusterException("give at least one replica address", ClusterErrorKind.Usage);
        }

        var replicas = new List<RegistryReplica>();
        for (var i = 0; i < arguments.Count; i++)
        {
            var (name, rest) = arguments[i].Split('=', 2) is [var n, var r] ? (n, r) : ($"u7s{i + 1:00}", arguments[i]);
            var parts = rest.Split(':');
            if (parts.Length > 3 || !HaproxyConfig.IsAddress(parts[0]) || !ServerName().IsMatch(name))
            {
                throw new ClusterException($"not [name=]address[:registry-port[:store-port]]: {arguments[i]}", ClusterErrorKind.Usage);
            }

            replicas.Add(new RegistryReplica(name, parts[0], Port(parts, 1, 80, arguments[i]), Port(parts, 2, 81, arguments[i])));
        }

        if (replicas.GroupBy(r => r.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } sameName)
        {
            throw new ClusterException($"listed twice: {sameName.Key}", ClusterErrorKind.Usage);
        }

        var duplicate = replicas.GroupBy(r => (r.Address, r.RegistryPort)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ClusterException($"listed twice: {duplicate.Key.Address}:{duplicate.Key.RegistryPort}", ClusterErrorKind.Usage);
        }

        return replicas;
    }

    /// <param name="bindAddress">Where haproxy listens, e.g. <c>*</c> or <c>127.0.0.1</c>.</param>
    /// <param name="statsSocket">A stats socket path (for <c>show stat</c>), or null for none.</param>
    public static string Render(IReadOnlyList<RegistryReplica> replicas, string bindAddress, int registryPort, int sigstorePort, string? statsSocket = null)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        ArgumentException.ThrowIfNullOrEmpty(bindAddress);
        if (replicas.Count == 0 || replicas.Any(r => !HaproxyConfig.IsAddress(r.Address) || !ValidPort(r.RegistryPort) || !ValidPort(r.SigstorePort)))
        {
            throw new ClusterException("every replica needs a valid address and ports 1-65535", ClusterErrorKind.Usage);
        }

        if (!ValidPort(registryPort) || !ValidPort(sigstorePort) || registryPort == sigstorePort)
        {
            throw new ClusterException("the two bind ports must be different and 1-65535", ClusterErrorKind.Usage);
        }

        var invariant = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(invariant, $"""
            # Written by u7s haproxy-config --registry: {replicas.Count} u7s serve replica(s) over one S3 store.
            # Nodes keep pulling from <this host>:{registryPort} and the lookaside <this host>:{sigstorePort}.
            # Replicas get each client's address in a PROXY v2 header. Run each replica with
            #   Server:ProxyProtocol: true
            #   Server:TrustedProxies: [<this host's address as the replicas see it>]
            # A replica closes connections from any address outside TrustedProxies.
            # Replicas are checked with GET /readyz: 503 while their store does not answer (readiness), so a stalled
            # store takes them out of the balancer; /livez is a replica's liveness, for a supervisor.
            global
                maxconn 4096

            """);
        if (statsSocket is not null)
        {
            text.Append(invariant, $"    stats socket {statsSocket} mode 600 level admin\n");
        }

        text.Append(invariant, $"""

            defaults
                mode http
                timeout connect 2s
                timeout client 10m
                timeout server 10m
                timeout http-request 30s
                # A request that found a replica dead (refused, reset before any answer) goes to another one.
                retries 3
                option redispatch 1
                retry-on conn-failure empty-response response-timeout 503
                # Blobs are gigabytes: never buffer a request body to make it retryable.
                option http-server-close
                # The client's own address to the replica (its login throttle and audit log), health checks included.
                default-server inter 500ms fall 2 rise 2 send-proxy-v2 check-send-proxy

            frontend registry
                bind {bindAddress}:{registryPort}
                default_backend u7s_registry

            frontend sigstore
                bind {bindAddress}:{sigstorePort}
                default_backend u7s_sigstore

            backend u7s_registry
                balance roundrobin
                option httpchk GET /readyz
                http-check expect status 200

            """);
        foreach (var r in replicas)
        {
            text.Append(invariant, $"    server {r.Name} {r.Address}:{r.RegistryPort} check\n");
        }

        text.Append("""

            backend u7s_sigstore
                balance roundrobin
                option httpchk GET /readyz
                http-check expect status 200

            """);
        foreach (var r in replicas)
        {
            text.Append(invariant, $"    server {r.Name} {r.Address}:{r.SigstorePort} check port {r.RegistryPort}\n");
        }

        return text.ToString();
    }

    private static bool ValidPort(int port) => port is >= 1 and <= 65535;

    private static int Port(string[] ports, int index, int fallback, string argument)
    {
        if (index >= ports.Length)
        {
            return fallback;
        }

        if (int.TryParse(ports[index], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && ValidPort(port))
        {
            return port;
        }

        throw new ClusterException($"not a port (1-65535) in {argument}", ClusterErrorKind.Usage);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex ServerName();
}
