using U7s.Cluster.Accounts;
using U7s.Cluster.Kubeadm;
using U7s.Testing;

namespace U7s.Cluster.Tests.Kubeadm;

/// <summary>The real runners start real processes: argv is passed verbatim, output captured, the certificate key never echoed.</summary>
public sealed class RealRunnerTests : IDisposable
{
    private const string Key = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

    private readonly TempDirectory _temp = new("u7s-runner");

    public void Dispose() => _temp.Dispose();

    [RequiresToolFact("sh")]
    public async Task KubeadmRunner_ScriptStandingInForKubeadm_ArgvVerbatimKeyHiddenInEcho()
    {
        var script = _temp.Combine("kubeadm");
        File.WriteAllText(script, $"#!/bin/sh\nfor a in \"$@\"; do echo \"arg:$a\"; done\necho '{Key}'\necho '  --control-plane --certificate-key {Key}'\nexit 3\n");
        U7s.Cluster.Files.FileModes.Set(script, U7s.Cluster.Files.FileModes.Mode0755);
        var echo = new StringWriter();

        var outcome = await new KubeadmRunner(echo, script).RunAsync(["init", "--config", "/x y/z.yaml", "-v", "5"], default);

        Assert.Equal(3, outcome.ExitCode);
        Assert.StartsWith("arg:init\narg:--config\narg:/x y/z.yaml\narg:-v\narg:5\n", outcome.StandardOutput, StringComparison.Ordinal);
        Assert.Contains(Key, outcome.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, echo.ToString(), StringComparison.Ordinal);
        Assert.Contains("--control-plane --certificate-key <certificate key hidden>", echo.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KubeadmRunner_MissingProgram_ClusterException()
    {
        var e = await Assert.ThrowsAsync<ClusterException>(() => new KubeadmRunner(new StringWriter(), _temp.Combine("no-kubeadm")).RunAsync(["version"], default));

        Assert.Equal($"{_temp.Combine("no-kubeadm")} is not installed (not found on PATH): install it, or run u7s kubeadm on a node that has it", e.Message);
        Assert.Equal(ClusterErrorKind.Unavailable, e.Kind);
    }

    [RequiresToolFact("sh")]
    public async Task ProcessRunner_CapturesBothStreamsAndExitCode()
    {
        var outcome = await new ProcessRunner().RunAsync("sh", ["-c", "echo out; echo 'groupadd: bad' >&2; exit 4"], default);

        Assert.Equal(new ProcessOutcome(4, "out\n", "groupadd: bad\n"), outcome);
        Assert.Equal("groupadd: bad", outcome.FirstErrorLine);
    }
}
