using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace U7s.Sigstore.Tests.Http;

/// <summary>
/// The :81 app answers like podsec's nginx (INTEROP §4.2, autoindex JSON) for the paths clients
/// use: both servers run over the same tree and must agree on every status and on the listing.
/// </summary>
public sealed class NginxComparisonTests : IAsyncLifetime, IDisposable
{
    private const string Hex = "035d35a9bb1b2d5cb1e0a7c1b0f2e0f1ad3b3f7ccdb1d7b4cb0f2f0a35d3e0aa";
    private SigstoreServer? _u7s;
    private Process? _nginx;
    private TempDirectory? _nginxDir;
    private HttpClient? _nginxClient;

    public async Task InitializeAsync()
    {
        if (Tool.Find("nginx") is null && !File.Exists("/usr/sbin/nginx"))
        {
            return;
        }

        _u7s = await SigstoreServer.StartAsync();
        var www = _u7s.Root.Path;
        await File.WriteAllTextAsync(Path.Combine(www, "index.html"), "<html><body><h1>SigStore works!</h1></body></html>");
        Directory.CreateDirectory(Path.Combine(www, "keys", "old"));
        await File.WriteAllTextAsync(Path.Combine(www, "keys", "imagemaker.pgp"), "key");
        await File.WriteAllTextAsync(Path.Combine(www, "keys", "policy.json"), "{}");
        var dir = Path.Combine(www, "sigstore", "k8s-c10f1", "pause@sha256=" + Hex);
        Directory.CreateDirectory(dir);
        await File.WriteAllBytesAsync(Path.Combine(dir, "signature-1"), [0xA3, 1]);

        _nginxDir = new TempDirectory("u7s-nginx");
        var port = FreeTcpPort.Next();
        var user = Environment.UserName == "root" ? "user root;" : string.Empty;
        var conf = _nginxDir.Combine("nginx.conf");
        await File.WriteAllTextAsync(conf, $$"""
            {{user}}
            daemon off;
            worker_processes 1;
            pid {{_nginxDir.Combine("nginx.pid")}};
            error_log {{_nginxDir.Combine("error.log")}};
            events { worker_connections 64; }
            http {
              default_type application/octet-stream;
              access_log off;
              client_body_temp_path {{_nginxDir.Combine("body")}};
              proxy_temp_path {{_nginxDir.Combine("proxy")}};
              fastcgi_temp_path {{_nginxDir.Combine("fastcgi")}};
              uwsgi_temp_path {{_nginxDir.Combine("uwsgi")}};
              scgi_temp_path {{_nginxDir.Combine("scgi")}};
              server {
                listen 127.0.0.1:{{port}};
                root {{www}};
                autoindex on;
                autoindex_format json;
              }
            }
            """);
        var psi = new ProcessStartInfo(Tool.Find("nginx") ?? "/usr/sbin/nginx") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(conf);
        psi.ArgumentList.Add("-e");
        psi.ArgumentList.Add(_nginxDir.Combine("error.log"));
        _nginx = Process.Start(psi)!;
        _nginxClient = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        for (var i = 0; i < 50; i++)
        {
            try
            {
                using var r = await _nginxClient.GetAsync(new Uri("/", UriKind.Relative));
                return;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException("nginx did not start: " + await File.ReadAllTextAsync(_nginxDir.Combine("error.log")));
    }

    public async Task DisposeAsync()
    {
        if (_nginx is { HasExited: false })
        {
            _nginx.Kill(entireProcessTree: true);
            await _nginx.WaitForExitAsync();
        }

        if (_u7s is not null)
        {
            await _u7s.DisposeAsync();
        }
    }

    public void Dispose()
    {
        _nginx?.Dispose();
        _nginxClient?.Dispose();
        _nginxDir?.Dispose();
    }

    [RequiresToolFact("nginx")]
    public async Task Statuses_MatchNginx()
    {
        string[] paths =
        [
            "/", "/keys/", "/keys", "/keys/policy.json", "/keys/absent.pgp", "/sigstore/k8s-c10f1",
            "/sigstore/k8s-c10f1/pause@sha256=" + Hex + "/signature-1",
            "/sigstore//k8s-c10f1/pause@sha256=" + Hex + "/signature-1",
            "/sigstore/k8s-c10f1/pause%40sha256%3D" + Hex + "/signature-1",
            "/sigstore/k8s-c10f1/pause@sha256=" + Hex + "/signature-2",
            "/sigstore/k8s-c10f1/other@sha256=" + Hex + "/signature-1",
        ];
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
        {
            foreach (var path in paths)
            {
                Assert.Equal((method, path, await StatusAsync(_nginxClient!, method, path)), (method, path, await StatusAsync(_u7s!.Client, method, path)));
            }
        }

        // Writes to existing files: 405 from both (nginx answers 403 for directories there; SPEC §2.5 wants 405 throughout).
        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Delete, HttpMethod.Put })
        {
            foreach (var path in new[] { paths[3], paths[6] })
            {
                Assert.Equal((method, path, HttpStatusCode.MethodNotAllowed), (method, path, await StatusAsync(_nginxClient!, method, path)));
                Assert.Equal((method, path, HttpStatusCode.MethodNotAllowed), (method, path, await StatusAsync(_u7s!.Client, method, path)));
            }
        }
    }

    [RequiresToolFact("nginx")]
    public async Task KeysListing_MatchesNginx()
    {
        var nginx = await ListingAsync(_nginxClient!);
        var u7s = await ListingAsync(_u7s!.Client);

        Assert.Equal(nginx, u7s);
        Assert.Equal(3, u7s.Count);
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, path);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<List<string>> ListingAsync(HttpClient client)
    {
        using var document = JsonDocument.Parse(await client.GetStringAsync(new Uri("/keys/", UriKind.Relative)));
        return document.RootElement.EnumerateArray()
            .Select(e => $"{e.GetProperty("name").GetString()}|{e.GetProperty("type").GetString()}|{e.GetProperty("mtime").GetString()}|{(e.TryGetProperty("size", out var s) ? s.GetInt64() : -1)}")
            .ToList();
    }
}
