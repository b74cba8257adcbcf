namespace U7s.Bench;

/// <summary>
/// U7s (the JIT build and, when given, the Native AOT binary beside it), Debian's docker-registry and nginx,
/// each on its own loopback port over its own temp data.
/// </summary>
internal sealed class Servers : IAsyncDisposable
{
    private Servers(string root, ServerProcess u7s, Uri u7sSigstore, ServerProcess registry, ServerProcess nginx, (ServerProcess Server, Uri Sigstore)? aot)
    {
        U7sAot = aot?.Server;
        U7sAotSigstore = aot?.Sigstore;
        Root = root;
        U7s = u7s;
        U7sSigstore = u7sSigstore;
        DockerRegistry = registry;
        Nginx = nginx;
    }

    public string Root { get; }

    public ServerProcess U7s { get; }

    public Uri U7sSigstore { get; }

    public ServerProcess DockerRegistry { get; }

    /// <summary>The Native AOT binary serving the same way as <see cref="U7s"/>; null when the run has none.</summary>
    public ServerProcess? U7sAot { get; }

    public Uri? U7sAotSigstore { get; }

    /// <summary>The U7s that nodes run: the AOT binary when the run has one, else the JIT build.</summary>
    public ServerProcess Release => U7sAot ?? U7s;

    /// <summary>Every registry under test: U7s, its AOT build when present, docker-registry.</summary>
    public IReadOnlyList<ServerProcess> Registries => U7sAot is null ? [U7s, DockerRegistry] : [U7s, U7sAot, DockerRegistry];

    public ServerProcess Nginx { get; }

    /// <summary>The tree nginx serves: <c>blobs/&lt;hex&gt;</c> and <c>sigstore/…</c>; also U7s's signature root.</summary>
    public string WwwRoot => Path.Combine(Root, "www");

    public static async Task<Servers> StartAsync(string root, string? aotBinary)
    {
        var www = Path.Combine(root, "www");
        Directory.CreateDirectory(Path.Combine(www, "blobs"));
        Directory.CreateDirectory(Path.Combine(www, "sigstore"));

        var (u7s, u7sSigstore) = await RegistryServers.StartU7sAsync("u7s", RegistryServers.JitCommand, root, www);
        (ServerProcess, Uri)? aot = aotBinary is null ? null : await RegistryServers.StartU7sAsync("u7s-aot", [aotBinary], root, www);
        var registry = await RegistryServers.StartDockerRegistryAsync("docker-registry", root, ["  filesystem:", $"    rootdirectory: {Path.Combine(root, "registry-data")}"]);

        var nginxPort = ServerProcess.FreePort();
        var nginxConfig = Path.Combine(root, "nginx.conf");
        Directory.CreateDirectory(Path.Combine(root, "nginx-body"));
        // One worker per core, as Debian's default configuration does (worker_processes auto).
        await File.WriteAllTextAsync(nginxConfig, $$"""
            user root;
            worker_processes auto;
            daemon off;
            pid {{Path.Combine(root, "nginx.pid")}};
            error_log {{Path.Combine(root, "nginx-error.log")}};
            events { worker_connections 1024; }
            http {
              default_type application/octet-stream;
              access_log off;
              sendfile on;
              client_body_temp_path {{Path.Combine(root, "nginx-body")}};
              server {
                listen 127.0.0.1:{{nginxPort}};
                root {{www}};
                autoindex on;
                autoindex_format json;
              }
            }
            """);
        var nginx = await ServerProcess.StartAsync("nginx", "nginx", ["-c", nginxConfig], nginxPort, "/", Path.Combine(root, "nginx.log"));
        return new Servers(root, u7s, u7sSigstore, registry, nginx, aot);
    }

    public async ValueTask DisposeAsync()
    {
        await U7s.DisposeAsync();
        if (U7sAot is not null)
        {
            await U7sAot.DisposeAsync();
        }

        await DockerRegistry.DisposeAsync();
        await Nginx.DisposeAsync();
    }
}
