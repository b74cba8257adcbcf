using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using U7s.Cli.Tests.Support;
using U7s.Cluster.Haproxy;
using U7s.Oci;
using U7s.Security.Login;
using U7s.Testing;

namespace U7s.Cli.Tests.Replicas;

/// <summary>
/// Clients behind the config <c>u7s haproxy-config --registry</c> writes, with Debian's haproxy on
/// 127.0.0.1: none of them passes for "this host" (which may push without a login when no htpasswd is
/// set), while a direct loopback push still does; the replica sees each client's address from the
/// PROXY header.
/// </summary>
public sealed class ProxiedClientsTests : IDisposable
{
    private readonly TempDirectory _dir = new("u7s-proxied");

    public void Dispose() => _dir.Dispose();

    [RequiresToolFact("haproxy")]
    public async Task PushThroughHaproxy_WithoutLogin_IsRefused_DirectLoopbackPushIsNot()
    {
        await using var replica = await U7sProcess.StartAsync(_dir.Combine("data"), _dir.Combine("sig"), ProxiedBy("127.0.0.1"));
        await using var haproxy = await StartHaproxyAsync(replica, "proxied");
        using var front = new HttpClient { BaseAddress = haproxy.Front };

        using (var healthz = await front.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await PushAsync(front, "app/through-haproxy"));

        // The replica itself answers only connections that start with a PROXY header.
        using (var direct = new HttpClient { BaseAddress = replica.RegistryUrl })
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => direct.GetAsync("/v2/"));
        }

        // A replica without the setting refuses what the generated config sends it, rather than serve it as local.
        await using var plain = await U7sProcess.StartAsync(_dir.Combine("plain-data"), _dir.Combine("plain-sig"));
        await using var plainHaproxy = await StartHaproxyAsync(plain, "plain");
        using var plainFront = new HttpClient { BaseAddress = plainHaproxy.Front };
        var refused = await PushAsync(plainFront, "app/through-haproxy");
        Assert.False(refused is HttpStatusCode.Accepted or HttpStatusCode.Created, $"a push through haproxy answered {refused}");
        Assert.False(Directory.Exists(_dir.Combine("plain-data", "repositories", "app")));

        // The documented rule still holds for a direct loopback client without htpasswd.
        using var local = new HttpClient { BaseAddress = plain.RegistryUrl };
        Assert.Equal(HttpStatusCode.Created, await PushAsync(local, "app/local"));
    }

    [Fact]
    public async Task ProxyProtocol_ClientAddressFromTheHeader_ReachesTheAuditLog_AndLoopbackIsNotLocal()
    {
        var htpasswd = _dir.Combine("htpasswd");
        new HtpasswdFile(htpasswd).Set("alice", "alice-pw");
        await using (var open = await U7sProcess.StartAsync(_dir.Combine("open-data"), _dir.Combine("open-sig"), ProxiedBy("127.0.0.1")))
        {
            // Even a header that names 127.0.0.1 is the proxy's loopback, not this host's.
            using var viaLoopback = ProxyProtocolClient.Create(open.RegistryUrl, "127.0.0.1");
            Assert.Equal(HttpStatusCode.Unauthorized, await PushAsync(viaLoopback, "app/x"));
        }

        await using var server = await U7sProcess.StartAsync(_dir.Combine("data"), _dir.Combine("sig"), new Dictionary<string, string>
        {
            ["U7S_SERVER__PROXYPROTOCOL"] = "true",
            ["U7S_SERVER__TRUSTEDPROXIES__0"] = "127.0.0.1",
            ["U7S_REGISTRY__AUTH__HTPASSWD"] = htpasswd,
            ["U7S_REGISTRY__AUTH__WRITERS__alice__0"] = "*",
        });
        using var client = ProxyProtocolClient.Create(server.RegistryUrl, "203.0.113.7");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("alice:alice-pw"u8.ToArray()));
        await SmallImage.PushAsync(client, "app/audited", "v1");

        var audit = (await File.ReadAllLinesAsync(_dir.Combine("data", "audit.log"))).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(audit, e => e.GetProperty("user").GetString() == "alice" && e.GetProperty("remote").GetString() == "203.0.113.7");
    }

    [Fact]
    public async Task ProxyHeader_FromAPeerOutsideTrustedProxies_ClosesTheConnection_OnBothPorts_BeforeAnyPasswordCheck()
    {
        var htpasswd = _dir.Combine("htpasswd");
        new HtpasswdFile(htpasswd).Set("admin", "admin-pw");
        var environment = new Dictionary<string, string>(ProxiedBy("127.0.0.2/32"))
        {
            ["U7S_REGISTRY__AUTH__HTPASSWD"] = htpasswd,
            ["U7S_REGISTRY__AUTH__WRITERS__admin__0"] = "*",
            ["U7S_REGISTRY__AUTH__MAXFAILEDLOGINS"] = "3",
        };
        await using var server = await U7sProcess.StartAsync(_dir.Combine("data"), _dir.Combine("sig"), environment);

        // A client that reaches the replica directly (from 127.0.0.1) forges a new client address for every wrong
        // password: were the header believed, no (user, address) pair would ever reach the throttle.
        for (var i = 1; i <= 6; i++)
        {
            var answer = await ForgedRequestAsync(server.RegistryUrl, source: "127.0.0.1", forged: $"203.0.113.{i}", "GET /v2/ HTTP/1.1", "admin:wrong");
            Assert.True(answer.Length == 0, $"an untrusted peer's request {i} was answered: {answer}");
        }

        Assert.Empty(await ForgedRequestAsync(server.SigstoreUrl, source: "127.0.0.1", forged: "203.0.113.9", "PUT /sigstore/app@sha256=" + new string('a', 64) + "/signature-1 HTTP/1.1", "admin:wrong"));

        // The trusted proxy (127.0.0.2) is believed, and its clients are throttled by the address it names.
        for (var i = 1; i <= 3; i++)
        {
            Assert.StartsWith("HTTP/1.1 401", await ForgedRequestAsync(server.RegistryUrl, source: "127.0.0.2", forged: "203.0.113.50", "GET /v2/ HTTP/1.1", "admin:wrong"), StringComparison.Ordinal);
        }

        Assert.StartsWith("HTTP/1.1 429", await ForgedRequestAsync(server.RegistryUrl, source: "127.0.0.2", forged: "203.0.113.50", "GET /v2/ HTTP/1.1", "admin:admin-pw"), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200", await ForgedRequestAsync(server.RegistryUrl, source: "127.0.0.2", forged: "203.0.113.51", "GET /v2/ HTTP/1.1", "admin:admin-pw"), StringComparison.Ordinal);
    }

    [RequiresToolFact("haproxy")]
    public async Task Haproxy_NotInTrustedProxies_GetsNothingThrough()
    {
        // haproxy connects from 127.0.0.1; the replica trusts another proxy only.
        await using var replica = await U7sProcess.StartAsync(_dir.Combine("data"), _dir.Combine("sig"), ProxiedBy("127.0.0.2"));
        await using var haproxy = await StartHaproxyAsync(replica, "plain");
        using var front = new HttpClient { BaseAddress = haproxy.Front };

        using var healthz = await front.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, healthz.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await PushAsync(front, "app/through-untrusted-haproxy"));
        Assert.False(Directory.Exists(_dir.Combine("data", "repositories", "app")));
    }

    /// <summary>The settings of a replica behind the given proxies.</summary>
    private static Dictionary<string, string> ProxiedBy(string trusted) => new()
    {
        ["U7S_SERVER__PROXYPROTOCOL"] = "true",
        ["U7S_SERVER__TRUSTEDPROXIES__0"] = trusted,
    };

    /// <summary>
    /// One request over a raw socket from <paramref name="source"/>: a PROXY v1 header naming <paramref name="forged"/>,
    /// then <paramref name="requestLine"/> with Basic <paramref name="credentials"/>. Returns what came back before the
    /// server closed the connection (empty when it answered nothing).
    /// </summary>
    private static async Task<string> ForgedRequestAsync(Uri server, string source, string forged, string requestLine, string credentials)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
        var request = $"PROXY TCP4 {forged} 127.0.0.1 40000 {server.Port}\r\n"
            + $"{requestLine}\r\nHost: registry.local\r\nAuthorization: Basic {Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials))}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, server.Port);
            await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        }
        catch (SocketException)
        {
            // Reset as soon as it was accepted: closed before the request was even written.
            return string.Empty;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException)
        {
            // Reset by the server: whatever arrived before is the answer.
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }

    private async Task<Haproxy> StartHaproxyAsync(U7sProcess replica, string name)
    {
        if (name != "plain")
        {
            // A cold replica answers its first request slower than haproxy's 500 ms check timeout; warm it first.
            using var warm = ProxyProtocolClient.Create(replica.RegistryUrl);
            (await warm.GetAsync("/healthz")).Dispose();
        }

        var (registryPort, sigstorePort) = (FreeTcpPort.Next(), FreeTcpPort.Next());
        var config = _dir.Combine($"{name}.cfg");
        var stats = _dir.Combine($"{name}.sock");
        await File.WriteAllTextAsync(config, RegistryReplicasConfig.Render(
            [new RegistryReplica("u7s01", "127.0.0.1", replica.RegistryUrl.Port, replica.SigstoreUrl.Port)], "127.0.0.1", registryPort, sigstorePort, stats));
        var check = await ExternalProcess.RunAsync("haproxy", ["-c", "-f", config], timeout: TimeSpan.FromSeconds(60));
        Assert.True(check.ExitCode == 0, check.StandardOutput + check.StandardError);
        var front = new Uri($"http://127.0.0.1:{registryPort}");
        return new Haproxy(await HaproxyProcess.StartAsync(config, stats, new Uri(front, "/healthz"), requireReady: name != "plain"), front);
    }

    private static async Task<HttpStatusCode> PushAsync(HttpClient client, string repository)
    {
        var blob = Encoding.UTF8.GetBytes(repository + Guid.NewGuid());
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v2/{repository}/blobs/uploads/?digest={Digest.Compute(blob)}") { Content = new ByteArrayContent(blob) };
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private sealed record Haproxy(HaproxyProcess Process, Uri Front) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Process.DisposeAsync();
    }
}
