using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
namespace U7s.Testing;

/// <summary>
/// Debian's docker-registry 2.8 on 127.0.0.1 with a free port and storage under a temp directory
/// (INTEROP §4.1); killed and removed on dispose. Starts lazily so a test class without the tool
/// only skips.
/// </summary>
public sealed class DockerRegistry : IDisposable
{
    private readonly TempDirectory _temp = new("u7s-dockerreg");
    private readonly object _gate = new();
    private Process? _process;
    private HttpClient? _http;

    public Uri BaseUri { get; private set; } = new("http://127.0.0.1:1");

    public string HostPort => $"{BaseUri.Host}:{BaseUri.Port}";

    /// <summary>A client shared by the tests of one registry (started on first use).</summary>
    public HttpClient Http
    {
        get
        {
            EnsureStarted();
            return _http!;
        }
    }

    public void EnsureStarted()
    {
        lock (_gate)
        {
            if (_process is not null)
            {
                return;
            }

            var port = FreePort();
            BaseUri = new Uri($"http://127.0.0.1:{port}");
            var config = _temp.Combine("registry.yml");
            File.WriteAllText(config, $"""
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: {_temp.Combine("data")}
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:{port}
                """);
            var psi = new ProcessStartInfo(Tool.Find("docker-registry") ?? "docker-registry")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            psi.ArgumentList.Add("serve");
            psi.ArgumentList.Add(config);
            _process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start docker-registry");
            _process.OutputDataReceived += (_, _) => { };
            _process.ErrorDataReceived += (_, _) => { };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            _http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
            for (var i = 0; i < 100; i++)
            {
                try
                {
                    using var response = _http.GetAsync(new Uri(BaseUri, "/v2/")).GetAwaiter().GetResult();
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                }

                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"docker-registry exited with {_process.ExitCode}");
                }

                Thread.Sleep(100);
            }

            throw new TimeoutException("docker-registry did not answer /v2/ within 10 s");
        }
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        _http?.Dispose();
        _temp.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
