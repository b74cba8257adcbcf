using System.Globalization;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// The README's "Try it on one machine", extracted from the README and run as written with bash (only its build line
/// replaced by the built <c>u7s</c>, and its ports by free ones): <c>u7s serve</c> as a process, <c>u7s keys generate
/// --publish</c>, <c>u7s demo-archive</c>, the node policy, <c>u7s load-sign-oci</c>, skopeo pulling with that policy and
/// the lookaside on the store, then the enforcement step: the same registry restarted with enforcement serves the signed
/// image to a client that checks nothing, takes an unsigned push and refuses its pull with the reason. Every command
/// that fails is reported; only that last pull may. After the block's steps the test deletes the pause image's
/// signature and the node's pull is refused.
/// </summary>
public sealed class TryItOnOneMachineTests : IDisposable
{
    private const string UnsignedPull = "docker://127.0.0.1:8480/demo/unsigned:1 dir:./unsigned";

    private readonly TempDirectory _temp = new("u7s-try");

    public void Dispose() => _temp.Dispose();

    [RequiresToolFact("skopeo", "curl")]
    public async Task Walkthrough_AsWrittenInTheReadme_SignedPulledThenEnforcementRefusesTheUnsignedOnly()
    {
        var lines = TestRepository.ReadmeBlock("## Try it on one machine");
        Assert.Equal("kill $SERVE", lines[^1]);
        Assert.Contains(lines, l => l.Contains(UnsignedPull, StringComparison.Ordinal));
        var (registry, sigstore) = (FreeTcpPort.Next().ToString(CultureInfo.InvariantCulture), FreeTcpPort.Next().ToString(CultureInfo.InvariantCulture));
        string Ports(string line) => line.Replace("8480", registry, StringComparison.Ordinal).Replace("8481", sigstore, StringComparison.Ordinal);
        var script = TestRepository.WalkthroughScript(_temp.Path, [
            // A failing command says which; the README's own steps stop at none but the refused pull.
            "trap 'echo \"STEP-FAILED $BASH_COMMAND\" >&2' ERR",
            .. lines.Take(lines.Count - 1).Select(Ports),
            "echo \"TRY-DIR $PWD\"",
            // Beyond the README: the node's pull without the pause image's signature.
            "rm sigstore/sigstore/k8s-c10f1/pause@sha256=*/signature-1",
            "trap - ERR",
            Ports("if skopeo --policy ./policy.json --registries.d ./registries.d copy --src-tls-verify=false docker://127.0.0.1:8480/k8s-c10f1/pause:3.9 dir:./pause-unsigned 2> cut.err; then echo CUT-PULLED; fi"),
            "echo \"CUT $(tr '\\n' ' ' < cut.err)\"",
            lines[^1],
        ]);

        var run = await ExternalProcess.RunAsync("bash", ["-c", script], timeout: TimeSpan.FromMinutes(3));

        var why = $"exit {run.ExitCode}\n{run.StandardOutput}\n{run.StandardError}";
        Assert.True(run.ExitCode == 0, why);
        var failed = run.StandardError.Split('\n').Where(l => l.StartsWith("STEP-FAILED ", StringComparison.Ordinal)).ToList();
        Assert.True(failed.Count == 1 && failed[0].Contains(Ports(UnsignedPull), StringComparison.Ordinal), why);
        Assert.Contains("12 images; blobs: 31 sent", run.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(12, run.StandardOutput.Split('\n').Count(l => l.EndsWith("  signature-1  verified", StringComparison.Ordinal)));
        Assert.Contains(
            $"denied: refused by the registry's signature enforcement: 127.0.0.1:{registry}/demo/unsigned:1 has no signature the registry's policy accepts (refused (scope 127.0.0.1:{registry}): A signature was required, but no signature exists)",
            run.StandardError,
            StringComparison.Ordinal);

        var directory = run.StandardOutput.Split('\n').Single(l => l.StartsWith("TRY-DIR ", StringComparison.Ordinal))["TRY-DIR ".Length..];
        Assert.True(File.Exists(Path.Combine(directory, "pause", "manifest.json")), why);
        Assert.True(File.Exists(Path.Combine(directory, "pause-again", "manifest.json")), why);
        Assert.False(Directory.Exists(Path.Combine(directory, "unsigned")) && File.Exists(Path.Combine(directory, "unsigned", "manifest.json")), why);
        Assert.Contains("; enforcement enforce under ", File.ReadAllText(Path.Combine(directory, "serve.log")), StringComparison.Ordinal);
        Assert.Contains($"images judged as 127.0.0.1:{registry}/<repository>", File.ReadAllText(Path.Combine(directory, "serve.log")), StringComparison.Ordinal);

        Assert.DoesNotContain("CUT-PULLED", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("signature", run.StandardOutput.Split('\n').Single(l => l.StartsWith("CUT ", StringComparison.Ordinal)), StringComparison.OrdinalIgnoreCase);
    }
}
