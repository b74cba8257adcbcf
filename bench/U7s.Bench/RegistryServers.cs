namespace U7s.Bench;

/// <summary>The two registries under test, started the same way whatever their storage.</summary>
internal static class RegistryServers
{
    /// <summary>
    /// <c>u7s serve</c> (<see cref="ReleaseCommand"/>) named <paramref name="name"/>, with data and logs under
    /// <paramref name="root"/>; <paramref name="environment"/> picks its storage. Returns the process and the store's URL.
    /// </summary>
    public static Task<(ServerProcess Server, Uri Sigstore)> StartU7sAsync(string name, string root, string sigstoreRoot, IReadOnlyDictionary<string, string?>? environment = null) =>
        StartU7sAsync(name, ReleaseCommand, root, sigstoreRoot, environment);

    /// <summary>The JIT build next to the harness: <c>dotnet u7s.dll</c>.</summary>
    public static IReadOnlyList<string> JitCommand { get; } = ["dotnet", Path.Combine(AppContext.BaseDirectory, "u7s.dll")];

    /// <summary>What nodes run, for every workload that has one U7s only: the Native AOT binary when the run has one, else the JIT build.</summary>
    public static IReadOnlyList<string> ReleaseCommand { get; set; } = JitCommand;

    /// <summary>As above, with <paramref name="command"/> as the program (the JIT build, or the Native AOT binary).</summary>
    public static async Task<(ServerProcess Server, Uri Sigstore)> StartU7sAsync(string name, IReadOnlyList<string> command, string root, string sigstoreRoot, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var port = ServerProcess.FreePort();
        var sigstorePort = ServerProcess.FreePort();
        var server = await ServerProcess.StartAsync(name, command[0],
            [.. command.Skip(1), "serve", "--data", Path.Combine(root, name), "--sigstore-root", sigstoreRoot, "--registry-listen", $"127.0.0.1:{port}", "--sigstore-listen", $"127.0.0.1:{sigstorePort}"],
            port, "/v2/", Path.Combine(root, $"{name}.log"), environment);
        return (server, new Uri($"http://127.0.0.1:{sigstorePort}"));
    }

    /// <summary>
    /// Debian's docker-registry named <paramref name="name"/>, quiet, deletes enabled, with <paramref name="storage"/>
    /// as the driver's lines under <c>storage:</c> (each indented two spaces).
    /// </summary>
    public static async Task<ServerProcess> StartDockerRegistryAsync(string name, string root, IEnumerable<string> storage, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var port = ServerProcess.FreePort();
        var config = Path.Combine(root, $"{name}.yml");
        string[] lines =
        [
            "version: 0.1",
            "log:",
            "  level: error",
            "  accesslog:",
            "    disabled: true",
            "storage:",
            .. storage,
            "  delete:",
            "    enabled: true",
            "http:",
            $"  addr: 127.0.0.1:{port}",
        ];
        await File.WriteAllLinesAsync(config, lines);
        return await ServerProcess.StartAsync(name, "docker-registry", ["serve", config], port, "/v2/", Path.Combine(root, $"{name}.log"), environment);
    }
}
