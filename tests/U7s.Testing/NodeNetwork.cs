namespace U7s.Testing;

/// <summary>
/// Two network namespaces of this machine joined by one veth pair, for two <see cref="PrivateHost"/> nodes that
/// reach each other at private addresses (<see cref="FirstAddress"/>, <see cref="SecondAddress"/>) and nothing else:
/// the pair is created inside the namespaces, so no interface or address ever appears on this machine's network.
/// Disposing deletes both namespaces (and with them the pair).
/// </summary>
public sealed class NodeNetwork : IDisposable
{
    private static readonly Lazy<string?> Probe = new(ProbeSkipReason);

    private NodeNetwork(string first, string second)
    {
        First = first;
        Second = second;
    }

    /// <summary>10.231.0.1 in <see cref="First"/>, 10.231.0.2 in <see cref="Second"/>: private, and only inside the namespaces.</summary>
    public const string FirstAddress = "10.231.0.1";

    public const string SecondAddress = "10.231.0.2";

    /// <summary>Why no namespaces can be made here (tried once per process), or null when they can.</summary>
    public static string? SkipReason => Probe.Value;

    public string First { get; }

    public string Second { get; }

    public static async Task<NodeNetwork> CreateAsync(string prefix)
    {
        var id = Guid.NewGuid().ToString("N")[..6];
        var network = new NodeNetwork($"{prefix}-a-{id}", $"{prefix}-b-{id}");
        try
        {
            foreach (var name in new[] { network.First, network.Second })
            {
                await IpAsync("netns", "add", name);
            }

            await IpAsync("link", "add", "name", $"u7a{id}", "netns", network.First, "type", "veth", "peer", "name", $"u7b{id}", "netns", network.Second);
            foreach (var (name, link, address) in new[] { (network.First, $"u7a{id}", FirstAddress), (network.Second, $"u7b{id}", SecondAddress) })
            {
                await IpAsync("-n", name, "addr", "add", $"{address}/30", "dev", link);
                await IpAsync("-n", name, "link", "set", link, "up");
                await IpAsync("-n", name, "link", "set", "lo", "up");
            }

            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var name in new[] { First, Second })
        {
            ExternalProcess.RunAsync("ip", ["netns", "delete", name]).GetAwaiter().GetResult();
        }
    }

    private static async Task IpAsync(params string[] arguments) =>
        (await ExternalProcess.RunAsync("ip", arguments)).EnsureSuccess("ip " + string.Join(' ', arguments));

    private static string? ProbeSkipReason()
    {
        if (PrivateHost.SkipReason is { } reason)
        {
            return reason;
        }

        if (Tool.Find("ip") is null)
        {
            return "not installed: ip (iproute2)";
        }

        try
        {
            using var network = CreateAsync("twonode-probe").GetAwaiter().GetResult();
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            return $"this machine cannot make network namespaces and a veth pair: {e.Message.Trim()}";
        }
    }
}
