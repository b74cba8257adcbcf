using U7s.Cluster.Haproxy;
using U7s.Testing;

namespace U7s.Cluster.Tests.Haproxy;

public sealed class HaproxyConfigTests : IDisposable
{
    private readonly TempDirectory _temp = new("u7s-haproxy");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Render_TwoMasters_ExactText()
    {
        var text = HaproxyConfig.Render(HaproxyConfig.ParseServers(["192.168.122.80", "192.168.122.81"]), 8443, 6443, HealthCheck.Https);

        Assert.Equal("""
            # Written by u7s haproxy-config: Kubernetes API load balancer for 2 control-plane node(s).
            # Init the cluster with --control-plane-endpoint <this host>:8443; after each control-plane
            # join, regenerate with every master and reload haproxy.
            global
                log /dev/log local0
                maxconn 4096

            defaults
                log global
                mode tcp
                option tcplog
                timeout connect 5s
                timeout client 1h
                timeout server 1h

            frontend main
                bind *:8443
                mode tcp
                option tcplog
                default_backend apiserver

            backend apiserver
                option httpchk GET /healthz
                http-check expect status 200
                mode tcp
                balance     roundrobin
                server master01 192.168.122.80:6443 check check-ssl verify none
                server master02 192.168.122.81:6443 check check-ssl verify none

            """, text);
    }

    [Fact]
    public void Render_TlsHello_IsTheInstallGuideBlock()
    {
        var text = HaproxyConfig.Render(HaproxyConfig.ParseServers(["m1=10.0.0.1"]), 8443, 6443, HealthCheck.TlsHello);

        Assert.Contains("""
                option httpchk GET /healthz
                http-check expect status 200
                mode tcp
                option ssl-hello-chk
                balance     roundrobin
                server m1 10.0.0.1:6443 check

            """, text, StringComparison.Ordinal);
    }

    [RequiresToolFact("haproxy")]
    public async Task HaproxyCheck_ThreeMasters_ValidWithoutWarnings()
    {
        var file = _temp.Combine("haproxy.cfg");
        File.WriteAllText(file, HaproxyConfig.Render(HaproxyConfig.ParseServers(["192.168.122.80", "192.168.122.81", "192.168.122.82"]), 8443, 6443, HealthCheck.Https));

        var result = await ExternalProcess.RunAsync("haproxy", ["-c", "-f", file], timeout: TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        Assert.Contains("Configuration file is valid", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("WARNING", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
    }

    [RequiresToolFact("haproxy")]
    public async Task HaproxyCheck_TlsHello_InstallGuideBlockIsAccepted()
    {
        var file = _temp.Combine("haproxy.cfg");
        File.WriteAllText(file, HaproxyConfig.Render(HaproxyConfig.ParseServers(["192.168.122.80"]), 8443, 6443, HealthCheck.TlsHello));

        var result = await ExternalProcess.RunAsync("haproxy", ["-c", "-f", file], timeout: TimeSpan.FromSeconds(60));

        // Accepted silently although the later ssl-hello-chk replaces httpchk (SPEC §5.4): hence https is the default.
        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        Assert.Contains("Configuration file is valid", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
    }

    [RequiresToolFact("haproxy")]
    public async Task BadAddress_RefusedByValidatorAndByHaproxy()
    {
        var bad = new ControlPlaneServer("master02", "300.1.2.3");

        var e = Assert.Throws<ClusterException>(() => HaproxyConfig.ParseServers(["192.168.122.80", "300.1.2.3"]));
        Assert.Equal("not an IPv4 address or host name: 300.1.2.3", e.Message);
        Assert.Throws<ClusterException>(() => HaproxyConfig.Render([new ControlPlaneServer("master01", "192.168.122.80"), bad], 8443, 6443, HealthCheck.Https));

        var file = _temp.Combine("bad.cfg");
        File.WriteAllText(file, HaproxyConfig.RenderUnchecked([new ControlPlaneServer("master01", "192.168.122.80"), bad], 8443, 6443, HealthCheck.Https));
        var result = await ExternalProcess.RunAsync("haproxy", ["-c", "-f", file], timeout: TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("could not resolve address '300.1.2.3'", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("192.168.122.80", true)]
    [InlineData("cp1.example.test", true)]
    [InlineData("master-1", true)]
    [InlineData("300.1.2.3", false)]
    [InlineData("10.0.0", false)]
    [InlineData("10.0.0.1:6443", false)]
    [InlineData("-bad.example", false)]
    [InlineData("a b", false)]
    [InlineData("", false)]
    [InlineData("::1", false)]
    public void IsAddress_Table(string address, bool valid) => Assert.Equal(valid, HaproxyConfig.IsAddress(address));

    [Fact]
    public void ParseServers_Duplicate_Refused()
    {
        var e = Assert.Throws<ClusterException>(() => HaproxyConfig.ParseServers(["10.0.0.1", "10.0.0.1"]));

        Assert.Equal("listed twice: 10.0.0.1", e.Message);
    }
}
