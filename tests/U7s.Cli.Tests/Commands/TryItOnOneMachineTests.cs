using System.Text.Json;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// The README's "Try it on one machine", step by step with the real pieces: <c>u7s serve</c> as a
/// process, <c>u7s keys generate --publish</c>, <c>u7s demo-archive</c>, the node policy,
/// <c>u7s load-sign-oci</c>, and skopeo pulling with that policy and the lookaside on the store.
/// </summary>
public sealed class TryItOnOneMachineTests : IDisposable
{
    private readonly TempDirectory _temp = new("u7s-try");

    public void Dispose() => _temp.Dispose();

    [RequiresToolFact("skopeo")]
    public async Task Walkthrough_DemoArchiveLoadedSignedAndPulledBySkopeo()
    {
        var sigstore = _temp.Combine("sigstore");
        await using var server = await U7sProcess.StartAsync(_temp.Combine("data"), sigstore);
        var registry = server.RegistryUrl.Authority;
        (await CliResult.RunAsync(
            "keys", "generate", "--name", "Demo Imagemaker", "--email", "demo@example.test", "--no-passphrase", "--bits", "2048",
            "--key-dir", _temp.Combine("keys"), "--publish", "--sigstore-root", sigstore, "--user", "demo")).Ensure();
        var archive = _temp.Combine("amd64.tar.xz");
        (await CliResult.RunAsync("demo-archive", archive, "--kubernetes", "v1.26.3")).Ensure();
        var policy = _temp.Combine("policy.json");
        await File.WriteAllTextAsync(policy,
            "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{" + JsonSerializer.Serialize(registry)
            + ":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":" + JsonSerializer.Serialize(Path.Combine(sigstore, "keys", "demo.pgp")) + "}]}}}");

        var load = (await CliResult.RunAsync(
            "load-sign-oci", archive, "amd64", "demo@example.test", $"{registry}/k8s-c10f1", "--registry", server.RegistryUrl.ToString(),
            "--key-dir", _temp.Combine("keys"), "--sigstore-root", sigstore, "--policy", policy)).Ensure();

        Assert.Contains("12 images; blobs: 31 sent", load.Output, StringComparison.Ordinal);
        Assert.Equal(12, load.Output.Split('\n').Count(l => l.EndsWith("  signature-1  verified", StringComparison.Ordinal)));
        var registriesD = Directory.CreateDirectory(_temp.Combine("registries.d")).FullName;
        await File.WriteAllTextAsync(Path.Combine(registriesD, "u7s.yaml"), $"docker:\n  {registry}:\n    lookaside: {server.SigstoreUrl}sigstore/\n");
        using var tools = new ContainerTools();
        Task<ProcessResult> PullAsync() => tools.SkopeoAsync(
            "--policy", policy, "--registries.d", registriesD, "copy", "-q", "--src-tls-verify=false", $"docker://{registry}/k8s-c10f1/pause:3.9", $"dir:{tools.NewDirectory("pause")}");

        var pulled = await PullAsync();
        Assert.True(pulled.ExitCode == 0, pulled.StandardError);

        foreach (var signature in Directory.EnumerateFiles(Path.Combine(sigstore, "sigstore"), "signature-1", SearchOption.AllDirectories).Where(f => f.Contains("/pause@", StringComparison.Ordinal)))
        {
            File.Delete(signature);
        }

        var refused = await PullAsync();
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("signature", refused.StandardError, StringComparison.OrdinalIgnoreCase);
    }
}
