using System.Diagnostics;

namespace U7s.Testing;

/// <summary>
/// Debian's docker-registry 2.8.2 (INTEROP §4.1) on a free 127.0.0.1 port over a temp directory,
/// killed and removed on dispose. Start with <see cref="StartAsync"/>.
/// </summary>
public sealed class DebianDockerRegistry : IAsyncDisposable
{
    private readonly TempDirectory _directory = new("u7s-registry");
    private Process? _process;

    /// <summary><c>127.0.0.1:port</c>, as used in image references.</summary>
    public string HostPort { get; private set; } = string.Empty;

    public static async Task<DebianDockerRegistry> StartAsync()
    {
        var registry = new DebianDockerRegistry();
        var port = FreeTcpPort.Next();
        registry.HostPort = $"127.0.0.1:{port}";
        var config = registry._directory.Combine("registry.yml");
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
            """);
        var psi = new ProcessStartInfo("docker-registry") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add(config);
        registry._process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start docker-registry");
        registry._process.OutputDataReceived += (_, _) => { };
        registry._process.ErrorDataReceived += (_, _) => { };
        registry._process.BeginOutputReadLine();
        registry._process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                using var response = await http.GetAsync(new Uri($"http://{registry.HostPort}/v2/"));
                if (response.IsSuccessStatusCode)
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
