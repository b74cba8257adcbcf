using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace U7s.Cluster.Tests.Support;

/// <summary>nginx serving a directory with a JSON autoindex on 127.0.0.1 (INTEROP §4.2), the comparison :81 server.</summary>
internal sealed class NginxProcess : IAsyncDisposable
{
    private readonly string _pidFile;

    private NginxProcess(string pidFile, Uri baseAddress)
    {
        _pidFile = pidFile;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<NginxProcess> StartAsync(string work, string wwwRoot)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var pid = Path.Join(work, "nginx.pid");
        var config = Path.Join(work, "nginx.conf");
        Directory.CreateDirectory(Path.Join(work, "nginx-body"));
        var user = Environment.IsPrivilegedProcess ? "user root;" : string.Empty;
        await File.WriteAllTextAsync(config, $$"""
            {{user}}
            worker_processes 1;
            daemon on;
            pid {{pid}};
            error_log {{Path.Join(work, "nginx-error.log")}};
            events { worker_connections 64; }
            http {
              default_type application/octet-stream;
              access_log off;
              client_body_temp_path {{Path.Join(work, "nginx-body")}};
              proxy_temp_path {{Path.Join(work, "nginx-body")}};
              fastcgi_temp_path {{Path.Join(work, "nginx-body")}};
              uwsgi_temp_path {{Path.Join(work, "nginx-body")}};
              scgi_temp_path {{Path.Join(work, "nginx-body")}};
              server {
                listen 127.0.0.1:{{port}};
                root {{wwwRoot}};
                autoindex on;
                autoindex_format json;
              }
            }

            """);
        var info = new ProcessStartInfo("nginx") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-c", config, "-e", Path.Join(work, "nginx-error.log") })
        {
            info.ArgumentList.Add(argument);
        }

        using (var start = Process.Start(info)!)
        {
            var error = await start.StandardError.ReadToEndAsync();
            await start.WaitForExitAsync();
            if (start.ExitCode != 0)
            {
                throw new InvalidOperationException($"nginx did not start: {error}");
            }
        }

        var server = new NginxProcess(pid, new Uri($"http://127.0.0.1:{port}/"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                using var response = await http.GetAsync(server.BaseAddress);
                return server;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(200);
            }
        }

        await server.DisposeAsync();
        throw new InvalidOperationException("nginx did not answer");
    }

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(_pidFile) && int.TryParse((await File.ReadAllTextAsync(_pidFile)).Trim(), out var pid))
        {
            using var master = Process.GetProcessById(pid);
            master.Kill(entireProcessTree: true);
            await master.WaitForExitAsync();
        }
    }
}
