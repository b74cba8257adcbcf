using System.Globalization;

namespace U7s.Testing;

/// <summary>
/// One more radosgw over the test server's cluster, on its own port (<c>tools/s3-server.sh gateway start</c>), for a
/// test that freezes the store with SIGSTOP: the other tests keep their own gateway, so only this test's store stalls.
/// It is signalled by the PID the script records, and only while that PID is still this gateway.
/// </summary>
public sealed class S3Gateway : IAsyncDisposable
{
    private readonly string _serverDir;
    private bool _frozen;

    private S3Gateway(string serverDir, int port, int pid)
    {
        _serverDir = serverDir;
        Port = port;
        Pid = pid;
    }

    /// <summary>Why a gateway cannot be started here, or null (under CI never: a missing server fails there).</summary>
    public static string? SkipReason =>
        S3TestStore.SkipReason ?? (ServerDir is null && Environment.GetEnvironmentVariable("CI") is not { Length: > 0 }
            ? "S3_SERVER_DIR is not set (run the tests under tools/s3-server.sh run)"
            : null);

    public int Port { get; }

    /// <summary>The radosgw's PID, as <c>s3-server.sh</c> recorded it.</summary>
    public int Pid { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    private static string? ServerDir => Environment.GetEnvironmentVariable("S3_SERVER_DIR") is { Length: > 0 } d ? d : null;

    public static async Task<S3Gateway> StartAsync()
    {
        var dir = ServerDir ?? throw new InvalidOperationException("S3_SERVER_DIR is not set: a second gateway needs the cluster tools/s3-server.sh started");
        var port = FreeTcpPort.Next();
        var started = await ExternalProcess.RunAsync(Script, ["gateway", "start", port.ToString(CultureInfo.InvariantCulture)], timeout: TimeSpan.FromSeconds(90));
        started.EnsureSuccess("s3-server.sh gateway start");
        var pid = int.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "pids", $"client.rgw.gw{port}.pid")), CultureInfo.InvariantCulture);
        return new S3Gateway(dir, port, pid);
    }

    /// <summary>SIGSTOP: the gateway keeps its sockets and takes connections, and answers nothing.</summary>
    public async Task FreezeAsync()
    {
        await SignalAsync("-STOP");
        _frozen = true;
    }

    /// <summary>SIGCONT: it answers again, the requests it took meanwhile first.</summary>
    public async Task ThawAsync()
    {
        await SignalAsync("-CONT");
        _frozen = false;
    }

    public async ValueTask DisposeAsync()
    {
        if (_frozen)
        {
            await ThawAsync();
        }

        // Sends SIGCONT itself before SIGTERM, should the thaw above have failed.
        await ExternalProcess.RunAsync(Script, ["gateway", "stop", Port.ToString(CultureInfo.InvariantCulture)], timeout: TimeSpan.FromSeconds(60));
    }

    private static string Script => Path.Combine(TestRepository.Root, "tools", "s3-server.sh");

    private async Task SignalAsync(string signal)
    {
        // Only the radosgw this cluster's script started, never a PID the kernel gave to something else since.
        var cmdline = (await File.ReadAllTextAsync($"/proc/{Pid}/cmdline")).Replace('\0', ' ');
        if (!cmdline.Contains("radosgw", StringComparison.Ordinal) || !cmdline.Contains(Path.Combine(_serverDir, "ceph.conf"), StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"pid {Pid} is no longer the gateway: {cmdline}");
        }

        (await ExternalProcess.RunAsync("kill", [signal, Pid.ToString(CultureInfo.InvariantCulture)])).EnsureSuccess($"kill {signal}");
    }
}
