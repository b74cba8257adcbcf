using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace U7s.Cli.Tests.Replicas;

/// <summary>Debian's haproxy running a given config in the foreground, with its stats socket for server states.</summary>
internal sealed class HaproxyProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _statsSocket;
    private readonly StringBuilder _log = new();

    private HaproxyProcess(Process process, string statsSocket)
    {
        _process = process;
        _statsSocket = statsSocket;
    }

    /// <param name="requireReady">False: return once haproxy runs, even if <paramref name="readyUrl"/> never answers (a backend that refuses everything).</param>
    public static async Task<HaproxyProcess> StartAsync(string configFile, string statsSocket, Uri readyUrl, bool requireReady = true)
    {
        var psi = new ProcessStartInfo("haproxy") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-db", "-f", configFile })
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start haproxy");
        var haproxy = new HaproxyProcess(process, statsSocket);
        process.ErrorDataReceived += (_, e) => haproxy.Append(e.Data);
        process.OutputDataReceived += (_, e) => haproxy.Append(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"haproxy exited {process.ExitCode}: {haproxy.Log}");
            }

            try
            {
                using var response = await http.GetAsync(readyUrl);
                if (response.IsSuccessStatusCode || !requireReady)
                {
                    return haproxy;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"haproxy not ready at {readyUrl}: {haproxy.Log}");
            }

            await Task.Delay(100);
        }
    }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The state haproxy reports for a server (<c>UP</c>, <c>DOWN</c>, <c>UP 1/2</c>…), from <c>show stat</c>.</summary>
    public async Task<string> ServerStatusAsync(string backend, string server)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(_statsSocket));
        await socket.SendAsync("show stat\n"u8.ToArray());
        using var stream = new NetworkStream(socket);
        using var reader = new StreamReader(stream);
        var csv = await reader.ReadToEndAsync();

        // # pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,…
        foreach (var line in csv.Split('\n'))
        {
            var fields = line.Split(',');
            if (fields.Length > 17 && fields[0] == backend && fields[1] == server)
            {
                return fields[17];
            }
        }

        throw new InvalidOperationException($"haproxy reports no {backend}/{server}: {csv}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
