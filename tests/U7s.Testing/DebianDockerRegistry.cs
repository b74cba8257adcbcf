using System.Diagnostics;

namespace U7s.Testing;

/// <summary>
/// Debian's docker-registry 2.8.2 (INTEROP §4.1) on a free 127.0.0.1 port over a temp directory,
/// killed and removed on dispose. Start with <see cref="StartAsync"/>.
/// </summary>
public sealed class DebianDockerRegistry : IAsyncDisposable
{
    private readonly TempDirectory _directory = new("u7s-registry");
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _log = new();
    private Process? _process;

    /// <summary>The registry's last log lines (stderr), for a failing test's message.</summary>
    public string Log => string.Join('\n', _log);

    /// <summary><c>127.0.0.1:port</c>, as used in image references.</summary>
    public string HostPort { get; private set; } = string.Empty;

    /// <summary>The registry's temp directory, for files its <c>auth:</c> section names (htpasswd, certificates).</summary>
    public string Directory => _directory.Path;

    /// <summary>
    /// Starts the registry; <paramref name="auth"/> is its <c>auth:</c> section (e.g. <c>htpasswd</c> or <c>token</c>,
    /// indented under <c>auth:</c>), made from the registry's directory, so the files it names can live there.
    /// </summary>
    public static async Task<DebianDockerRegistry> StartAsync(Func<string, string>? auth = null)
    {
        var registry = new DebianDockerRegistry();
        var port = FreeTcpPort.Next();
        registry.HostPort = $"127.0.0.1:{port}";
        var config = registry._directory.Combine("registry.yml");
        var authSection = auth is null ? string.Empty : "auth:\n" + string.Join('\n', auth(registry._directory.Path).Split('\n').Select(line => "  " + line));
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {registry._directory.Combine("data")}
              delete:
                enabled: true
            http:
              addr: {registry.HostPort}
            {authSection}
            """);
        var psi = new ProcessStartInfo("docker-registry") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add(config);
        registry._process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start docker-registry");
        registry._process.OutputDataReceived += (_, _) => { };
        registry._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                registry._log.Enqueue(line);
                while (registry._log.Count > 50 && registry._log.TryDequeue(out string? _))
                {
                }
            }
        };
        registry._process.BeginOutputReadLine();
        registry._process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                using var response = await http.GetAsync(new Uri($"http://{registry.HostPort}/v2/"));
                // With an auth section the version check is challenged: a 401 is a registry that is up.
                if (response.IsSuccessStatusCode || (auth is not null && response.StatusCode == System.Net.HttpStatusCode.Unauthorized))
                {
                    return registry;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        await registry.DisposeAsync();
        throw new InvalidOperationException("docker-registry did not answer on " + registry.HostPort);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _directory.Dispose();
    }
}
