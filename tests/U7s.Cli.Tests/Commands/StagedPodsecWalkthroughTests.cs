using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// The README's "Staged on one test box", extracted from the README and run as written in a <see cref="PrivateHost"/>
/// (a private copy of /etc, its own loopback-only network, so the README's ports are free and nothing reaches this
/// machine): create-policy, create-imagemakeruser and create-services into a registry node tree, <c>u7s serve</c>
/// serving that tree, the imagemaker's <c>load-sign-oci --root</c>, a worker's <c>create-policy --role node</c> downloading
/// from the served store, skopeo pulling under the worker's staged policy, kubeadm init and join's preflight under
/// <c>--root</c> (kubeadm itself is never run there), and haproxy checking the generated configuration. Only the
/// first line (the build) is replaced by the built <c>u7s</c>; after the walkthrough's own steps the test checks that
/// the worker's policy refuses an unsigned image.
/// </summary>
public sealed class StagedPodsecWalkthroughTests : IDisposable
{
    private readonly TempDirectory _work = new("u7s-staged");

    public void Dispose() => _work.Dispose();

    [RequiresPrivateHostFact("skopeo", "curl", "haproxy", "dotnet")]
    public async Task StagedWalkthrough_AsWrittenInTheReadme_ServedTreeSignedPullAcceptedUnsignedRefused()
    {
        var lines = TestRepository.ReadmeBlock("### Staged on one test box");
        Assert.StartsWith("dotnet build src/Cli", lines[0], StringComparison.Ordinal);
        Assert.Equal("kill $SERVE", lines[^1]);
        File.SetUnixFileMode(_work.Path, (UnixFileMode)0x1ED);
        var host = PrivateHost.HostState();

        var script = TestRepository.WalkthroughScript(_work.Combine("node"), [
            .. lines.Take(lines.Count - 1),
            // Beyond the README: an unsigned image, pushed with an accept-anything policy, is refused under the worker's.
            "printf '{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}' > accept.json",
            "skopeo --policy accept.json copy -q --dest-tls-verify=false \"oci:$1:v1\" docker://127.0.0.1:8580/k8s-c10f1/unsigned:v1",
            "if unshare -m sh -c \"mount --bind '$NODE/etc' /etc && skopeo copy docker://127.0.0.1:8580/k8s-c10f1/unsigned:v1 dir:'$PWD/unsigned'\" 2> unsigned.err; then echo UNSIGNED-PULLED; fi",
            "echo \"RESULT unsigned $(tr '\\n' ' ' < unsigned.err)\"",
            "echo \"RESULT tree $PWD\"",
            lines[^1],
        ]);
        TestImageLayout.Write(_work.Combine("unsigned"), "v1", "signed by nobody\n");

        var run = await PrivateHost.RunAsync(_work.Combine("node"), script, [_work.Combine("unsigned")], TimeSpan.FromMinutes(3));

        var why = $"exit {run.ExitCode}\n{run.StandardOutput}\n{run.StandardError}";
        Assert.True(run.ExitCode == 0, why);
        var output = run.StandardOutput;
        Assert.Contains("user imagemaker created (groups podman,podman_dev)", output, StringComparison.Ordinal);
        Assert.Contains("12 images; blobs: 31 sent", output, StringComparison.Ordinal);
        Assert.Equal(12, output.Split('\n').Count(l => l.EndsWith("  signature-1  verified", StringComparison.Ordinal)));
        Assert.Contains("trusting key ", output, StringComparison.Ordinal);
        Assert.Contains("docker 127.0.0.1:8580: signed by ", output, StringComparison.Ordinal);
        Assert.Contains("on the node run: kubeadm init --config /etc/u7s/kubeadm-init.yaml --upload-certs", output, StringComparison.Ordinal);
        Assert.Contains("preflight passed: hosts, policy, pause image, ip_forward and 7 images present and signed", output, StringComparison.Ordinal);
        Assert.Contains("Configuration file is valid", output + run.StandardError, StringComparison.Ordinal);

        var tree = output.Split('\n').Single(l => l.StartsWith("RESULT tree ", StringComparison.Ordinal))["RESULT tree ".Length..];
        Assert.True(File.Exists(Path.Combine(tree, "pause", "manifest.json")), why);
        Assert.True(File.Exists(Path.Combine(tree, "worker-node", "etc", "u7s", "kubeadm-init.yaml")), why);
        Assert.Contains("keyPath\": \"/etc/u7s/keys/imagemaker.pgp\"", File.ReadAllText(Path.Combine(tree, "worker-node", "etc", "containers", "policy.json")), StringComparison.Ordinal);
        Assert.Contains("backend", File.ReadAllText(Path.Combine(tree, "balancer", "etc", "haproxy", "haproxy.cfg")), StringComparison.Ordinal);
        Assert.Contains("imagemaker:", File.ReadAllText(Path.Combine(tree, "registry-node", "etc", "passwd")), StringComparison.Ordinal);

        Assert.DoesNotContain("UNSIGNED-PULLED", output, StringComparison.Ordinal);
        Assert.Contains("A signature was required, but no signature exists", output, StringComparison.Ordinal);
        Assert.Equal(host, PrivateHost.HostState());
    }
}
