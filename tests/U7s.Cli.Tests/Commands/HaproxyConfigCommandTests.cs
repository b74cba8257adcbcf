using U7s.Cli.Commands;
using U7s.Cli.Tests.Support;
using U7s.Cluster.Files;
using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

public sealed class HaproxyConfigCommandTests : IDisposable
{
    private readonly TempDirectory _root = new("u7s-haproxy-root");

    public void Dispose() => _root.Dispose();

    private static NodeEnvironment Environment() => new() { IsPrivileged = () => false };

    [Fact]
    public async Task HaproxyConfig_Stdout_OnlyTheConfig()
    {
        var (code, stdout, stderr) = await CommandHarness.RunAsync(HaproxyConfigCommand.Create(Environment()), "192.168.122.80", "192.168.122.81");

        Assert.True(code == 0, stderr);
        Assert.StartsWith("# Written by u7s haproxy-config", stdout, StringComparison.Ordinal);
        Assert.EndsWith("    server master02 192.168.122.81:6443 check check-ssl verify none\n", stdout, StringComparison.Ordinal);
    }

    [RequiresToolFact("haproxy")]
    public async Task HaproxyConfig_OutputUnderRoot_PassesHaproxyCheck()
    {
        var (code, _, stderr) = await CommandHarness.RunAsync(HaproxyConfigCommand.Create(Environment()),
            "192.168.122.80", "--output", "/etc/haproxy/haproxy.cfg", "--root", _root.Path, "--bind-port", "9443");

        Assert.True(code == 0, stderr);
        var file = _root.Combine("etc/haproxy/haproxy.cfg");
        Assert.Equal(FileModes.Mode0644, FileModes.Get(file));
        Assert.Contains("    bind *:9443\n", File.ReadAllText(file), StringComparison.Ordinal);
        var check = await ExternalProcess.RunAsync("haproxy", ["-c", "-f", file], timeout: TimeSpan.FromSeconds(60));
        Assert.True(check.ExitCode == 0, check.StandardOutput + check.StandardError);
    }

    [Fact]
    public async Task HaproxyConfig_BadAddress_UsageErrorNothingWritten()
    {
        var (code, stdout, stderr) = await CommandHarness.RunAsync(HaproxyConfigCommand.Create(Environment()),
            "192.168.122.80", "10.0.0.256", "--output", "/etc/haproxy/haproxy.cfg", "--root", _root.Path);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("u7s: not an IPv4 address or host name: 10.0.0.256\n", stderr);
        Assert.Empty(stdout);
        Assert.Empty(Directory.GetFileSystemEntries(_root.Path));
    }

    [RequiresToolFact("haproxy")]
    public async Task HaproxyConfig_Registry_ThreeReplicas_PassesHaproxyCheck()
    {
        var (code, stdout, stderr) = await CommandHarness.RunAsync(HaproxyConfigCommand.Create(Environment()),
            "--registry", "a=127.0.0.1:5000:5001", "127.0.0.1:5010:5011", "localhost", "--bind-address", "127.0.0.1");

        Assert.True(code == 0, stderr);
        Assert.Contains("    bind 127.0.0.1:80\n", stdout, StringComparison.Ordinal);
        Assert.Contains("    bind 127.0.0.1:81\n", stdout, StringComparison.Ordinal);
        Assert.Contains("    server a 127.0.0.1:5000 check\n", stdout, StringComparison.Ordinal);
        Assert.Contains("    server u7s02 127.0.0.1:5011 check port 5010\n", stdout, StringComparison.Ordinal);
        Assert.Contains("    server u7s03 localhost:81 check port 80\n", stdout, StringComparison.Ordinal);
        // What each replica must set to take haproxy's PROXY headers, as the README's proxy section says.
        Assert.Contains("#   Server:ProxyProtocol: true\n", stdout, StringComparison.Ordinal);
        Assert.Contains("#   Server:TrustedProxies: [", stdout, StringComparison.Ordinal);
        // Both backends check readiness (503 while a replica's store does not answer), never mere liveness.
        Assert.Equal(2, stdout.Split("    option httpchk GET /readyz\n").Length - 1);
        Assert.DoesNotContain("/healthz", stdout, StringComparison.Ordinal);
        var file = _root.Combine("haproxy.cfg");
        await File.WriteAllTextAsync(file, stdout);
        var check = await ExternalProcess.RunAsync("haproxy", ["-c", "-f", file], timeout: TimeSpan.FromSeconds(60));
        Assert.True(check.ExitCode == 0, check.StandardOutput + check.StandardError);
    }

    [Theory]
    [InlineData("127.0.0.1:0", "not a port")]
    [InlineData("127.0.0.1:80:81:82", "not [name=]address")]
    [InlineData("bad name=127.0.0.1", "not [name=]address")]
    [InlineData("10.0.0.256:80", "not [name=]address")]
    public async Task HaproxyConfig_Registry_BadReplica_IsUsageError(string replica, string expected)
    {
        var (code, stdout, stderr) = await CommandHarness.RunAsync(HaproxyConfigCommand.Create(Environment()), "--registry", replica);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.Empty(stdout);
    }

    [Fact]
    public async Task HaproxyConfig_Registry_SameNameTwice_IsUsageError()
    {
        var (code, _, stderr) = await CommandHarness.RunAsync(HaproxyConfigCommand.Create(Environment()), "--registry", "a=127.0.0.1:5000", "a=127.0.0.1:5010");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("listed twice: a", stderr, StringComparison.Ordinal);
    }
}
