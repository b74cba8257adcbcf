namespace U7s.Cli.Tests.Commands;

/// <summary>The node verbs are reachable through the real root command, with their help.</summary>
public sealed class NodeVerbRegistrationTests
{
    [Theory]
    [InlineData("create-policy", "<registry-ip>")]
    [InlineData("create-services", "--exec")]
    [InlineData("create-imagemakeruser", "<user[@scope]>")]
    [InlineData("create-imagemaker", "--staging-url")]
    [InlineData("create-podmanusers", "<user>")]
    [InlineData("kubeadm", "init")]
    [InlineData("haproxy-config", "--health-check")]
    public async Task Help_EveryNodeVerb_Registered(string verb, string expected)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var code = await CliApp.RunAsync([verb, "--help"], stdout, stderr, CancellationToken.None);

        Assert.Equal(0, code);
        Assert.Contains(expected, stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KubeadmInitHelp_ListsKubeadmFlagNames()
    {
        var stdout = new StringWriter();

        var code = await CliApp.RunAsync(["kubeadm", "init", "--help"], stdout, new StringWriter(), CancellationToken.None);

        Assert.Equal(0, code);
        foreach (var flag in new[] { "--apiserver-advertise-address", "--control-plane-endpoint", "--pod-network-cidr", "--service-cidr", "--cri-socket", "--token-ttl", "--certificate-key", "--kubernetes-version", "--wipe-etcd-data", "--dry-run" })
        {
            Assert.Contains(flag, stdout.ToString(), StringComparison.Ordinal);
        }
    }
}
