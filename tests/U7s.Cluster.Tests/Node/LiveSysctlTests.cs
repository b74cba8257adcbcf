using U7s.Cluster.Files;
using U7s.Cluster.Kubeadm;
using U7s.Cluster.Node;
using U7s.Cluster.Tests.Support;
using U7s.Testing;

namespace U7s.Cluster.Tests.Node;

/// <summary>
/// The running kernel's settings: create-policy applies the sysctl files it writes (as <c>sysctl --system</c> would),
/// and the kubeadm preflight checks the live <c>net.ipv4.ip_forward</c>, not the file. A directory stands in for
/// <c>/proc/sys</c>; the two-node test does it on a real network namespace's.
/// </summary>
public sealed class LiveSysctlTests : IDisposable
{
    private readonly NodeFixture _node = new();
    private readonly TempDirectory _proc = new("u7s-proc-sys");

    public void Dispose()
    {
        _node.Dispose();
        _proc.Dispose();
    }

    private string Forward => _proc.Combine("net/ipv4/ip_forward");

    private void SetForward(string value)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Forward)!);
        File.WriteAllText(Forward, value + "\n");
    }

    [Fact]
    public void Apply_DifferentValue_WrittenAndReported_EqualValueLeftAlone_MissingSettingReported()
    {
        SetForward("0");
        Directory.CreateDirectory(_proc.Combine("kernel"));
        File.WriteAllText(_proc.Combine("kernel/other"), "1\n");
        var before = File.GetLastWriteTimeUtc(_proc.Combine("kernel/other"));
        var live = new LiveSysctl(_proc.Path);

        var report = live.Apply("/etc/sysctl.d/x.conf", "# comment\nnet.ipv4.ip_forward = 1\nkernel.other=1\nkernel.absent = 1\n");

        Assert.Equal("1\n", File.ReadAllText(Forward));
        Assert.Equal(before, File.GetLastWriteTimeUtc(_proc.Combine("kernel/other")));
        Assert.Equal(
            ["net.ipv4.ip_forward = 1: applied to the running kernel (was 0), as sysctl --system would", "kernel.absent: not a setting of this kernel; /etc/sysctl.d/x.conf not applied"],
            report);
        Assert.Empty(live.Apply("/etc/sysctl.d/x.conf", "net.ipv4.ip_forward = 1\n"));
    }

    [Theory]
    [InlineData("../../etc/passwd = 1")]
    [InlineData("net/ipv4 = 1")]
    public void Apply_KeyThatIsAPath_Refused(string line)
    {
        Assert.Throws<ArgumentException>(() => new LiveSysctl(_proc.Path).Apply("/etc/sysctl.d/x.conf", line + "\n"));
    }

    [Fact]
    public async Task CreatePolicy_AppliesIpForwardToTheRunningKernel_AndSaysSo()
    {
        SetForward("0");

        var report = await new CreatePolicyService(_node.Writer, _node.Accounts, new KeyFetcher(new HttpClient()), new PgpKeyInspector(), _node.Options, new LiveSysctl(_proc.Path))
            .RunAsync(new CreatePolicyRequest("192.168.122.70", NodeRole.Registry), default);

        Assert.Equal("1\n", File.ReadAllText(Forward));
        Assert.Contains("net.ipv4.ip_forward = 1: applied to the running kernel (was 0), as sysctl --system would", report);
        Assert.Equal("net.ipv4.ip_forward = 1\n", _node.Read(NodePaths.IpForwardSysctl));
    }

    [Fact]
    public async Task CreatePolicy_StagingTree_NeverTouchesThisMachinesKernel()
    {
        // No LiveSysctl given and the root is a staging tree: nothing may be applied, nothing reported.
        var report = await new CreatePolicyService(_node.Writer, _node.Accounts, new KeyFetcher(new HttpClient()), new PgpKeyInspector(), _node.Options)
            .RunAsync(new CreatePolicyRequest("192.168.122.70", NodeRole.Registry), default);

        Assert.DoesNotContain(report, l => l.Contains("running kernel", StringComparison.Ordinal) || l.Contains("not a setting", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Preflight_FileSaysOneButKernelSaysZero_Refused()
    {
        SetForward("0");
        await _node.Writer.WriteAsync(NodePaths.IpForwardSysctl, "net.ipv4.ip_forward = 1\n", FileModes.Mode0644, default);

        var problems = await new KubeadmPreflight(_node.Writer, new InMemoryImageJudge(), _node.Options, new LiveSysctl(_proc.Path))
            .CheckAsync(new PreflightRequest([], "registry.local/k8s-c10f1/pause:3.9", null, null, false), default);

        Assert.Contains(problems, p => p.StartsWith("net.ipv4.ip_forward is 0 in the running kernel", StringComparison.Ordinal));

        SetForward("1");
        var again = await new KubeadmPreflight(_node.Writer, new InMemoryImageJudge(), _node.Options, new LiveSysctl(_proc.Path))
            .CheckAsync(new PreflightRequest([], "registry.local/k8s-c10f1/pause:3.9", null, null, false), default);
        Assert.DoesNotContain(again, p => p.Contains("ip_forward", StringComparison.Ordinal));
    }
}
