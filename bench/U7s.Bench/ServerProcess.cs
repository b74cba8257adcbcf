using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace U7s.Bench;

/// <summary>A server under test: a child process on a loopback port, its peak RSS and CPU time read from /proc.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServerProcess(string name, Process process, Uri url)
    {
        Name = name;
        _process = process;
        Url = url;
    }

    public string Name { get; }

    public Uri Url { get; }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the program and waits until <paramref name="readyPath"/> answers.</summary>
    public static async Task<ServerProcess> StartAsync(string name, string fileName, IEnumerable<string> arguments, int port, string readyPath, string logFile, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var psi = new ProcessStartInfo(fileName) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            // A null value removes the variable from the child's environment.
            if (value is null)
            {
                psi.Environment.Remove(key);
            }
            else
            {
                psi.Environment[key] = value;
            }
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {fileName}");
        var log = new StreamWriter(logFile) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var url = new Uri($"http://127.0.0.1:{port}");
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 150; i++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with {process.ExitCode}; see {logFile}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri(url, readyPath));
                return new ServerProcess(name, process, url);
            }
            catch (HttpRequestException)
            {
                await Task.Delay(200);
            }
            catch (TaskCanceledException)
            {
                await Task.Delay(200);
            }
        }

        process.Kill(true);
        throw new InvalidOperationException($"{name} did not answer on {url}; see {logFile}");
    }

    /// <summary>Starts the peak (VmHWM) anew from the current RSS, for the server and its children (Linux 4.0+).</summary>
    public void ResetPeakRss()
    {
        foreach (var pid in Pids())
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
        }
    }

    /// <summary>Peak resident set size (VmHWM) of the server and its children, in MiB.</summary>
    public double PeakRssMiB() => StatusMiB("VmHWM:");

    /// <summary>Resident set size now (VmRSS) of the server and its children, in MiB.</summary>
    public double RssMiB() => StatusMiB("VmRSS:");

    private double StatusMiB(string field)
    {
        long total = 0;
        foreach (var pid in Pids())
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
            if (line is not null)
            {
                total += long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }

        return total / 1024.0;
    }

    /// <summary>CPU time (user + system) the server and its children have used so far, in seconds.</summary>
    public double CpuSeconds() => CpuTime.SecondsOf(Pids());

    /// <summary>The server's process and its direct children (a wrapper's server).</summary>
    private List<int> Pids()
    {
        var pids = new List<int> { _process.Id };
        var children = $"/proc/{_process.Id}/task/{_process.Id}/children";
        if (File.Exists(children))
        {
            pids.AddRange(File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)));
        }

        return pids;
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
