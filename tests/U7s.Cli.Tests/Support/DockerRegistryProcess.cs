using System.Diagnostics;

namespace U7s.Cli.Tests.Support;

/// <summary>Debian's docker-registry 2.8 on 127.0.0.1 and a free port with its own storage (INTEROP §4.1); killed on dispose.</summary>
internal sealed class DockerRegistryProcess : IAsyncDisposable
{
    private readonly Process _process;

    private DockerRegistryProcess(Process process, string address)
    {
        _process = process;
        Address = address;
    }

    /// <summary><c>127.0.0.1:PORT</c>.</summary>
    public string Address { get; }

    public static async Task<DockerRegistryProcess> StartAsync(string workDirectory)
    {
        var address = $"127.0.0.1:{FreePort.Next()}";
        var config = Path.Join(workDirectory, "registry.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {Path.Join(workDirectory, "registry-data")}
              delete:
                enabled: true
            http:
              addr: {address}

            """);
        var info = new ProcessStartInfo("docker-registry") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("serve");
        info.ArgumentList.Add(config);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var registry = new DockerRegistryProcess(process, address);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                using var response = await http.GetAsync(new Uri($"http://{address}/v2/"));
                if (response.IsSuccessStatusCode)
                {
                    return registry;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        await registry.DisposeAsync();
        throw new InvalidOperationException($"docker-registry did not answer on {address}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
