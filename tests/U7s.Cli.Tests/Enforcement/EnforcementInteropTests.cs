using System.Diagnostics;
using U7s.Cli.Tests.Support;
using U7s.Oci;
using U7s.Registry.Access;

namespace U7s.Cli.Tests.Enforcement;

/// <summary>
/// Real clients that do not check signatures against an enforcing registry: skopeo with an
/// insecureAcceptAnything policy, and containerd's <c>ctr</c> (Debian's containerd, started here in
/// a temp root). Each gets the signed image and is refused the unsigned one.
/// </summary>
public sealed class EnforcementInteropTests
{
    [RequiresToolFact("skopeo")]
    public async Task Skopeo_AcceptingAnything_PullsSigned_RefusedUnsigned()
    {
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Enforce, TimeSpan.FromSeconds(5));
        var (signedRef, unsignedRef) = await PushPairAsync(server);
        var policy = server.Dir.Combine("any.json");
        await File.WriteAllTextAsync(policy, """{"default":[{"type":"insecureAcceptAnything"}]}""");

        var pulled = await ExternalProcess.RunAsync("skopeo", ["--policy", policy, "copy", "-q", "--src-tls-verify=false", $"docker://{signedRef}", $"dir:{server.Dir.Combine("pull-signed")}"]);
        pulled.EnsureSuccess("skopeo copy of the signed image");
        var refused = await ExternalProcess.RunAsync("skopeo", ["--policy", policy, "copy", "-q", "--src-tls-verify=false", $"docker://{unsignedRef}", $"dir:{server.Dir.Combine("pull-unsigned")}"]);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("denied", refused.StandardError, StringComparison.OrdinalIgnoreCase);

        // skopeo prints only the envelope's message: the reason and the deciding scope must be in it.
        Assert.Contains("refused by the registry's signature enforcement", refused.StandardError, StringComparison.Ordinal);
        Assert.Contains("(scope registry.local", refused.StandardError, StringComparison.Ordinal);
        Assert.Contains("no signature exists", refused.StandardError, StringComparison.Ordinal);
    }

    [RequiresRootFact("containerd", "ctr", "skopeo")]
    public async Task Ctr_PullsSigned_RefusedUnsigned()
    {
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Enforce, TimeSpan.FromSeconds(5));
        var (signedRef, unsignedRef) = await PushPairAsync(server);
        var root = server.Dir.Combine("containerd");
        var socket = Path.Combine(root, "run", "containerd.sock");
        Directory.CreateDirectory(Path.Combine(root, "run"));
        var config = Path.Combine(root, "config.toml");
        await File.WriteAllTextAsync(config, $"""
            version = 2
            root = "{root}/root"
            state = "{root}/state"
            disabled_plugins = ["io.containerd.grpc.v1.cri"]
            [grpc]
              address = "{socket}"
            [ttrpc]
              address = "{socket}.ttrpc"
            [debug]
              address = ""
            [metrics]
              address = ""
            """);
        using var daemon = Process.Start(new ProcessStartInfo("containerd", ["--config", config]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        _ = daemon.StandardError.ReadToEndAsync();
        _ = daemon.StandardOutput.ReadToEndAsync();
        try
        {
            var ready = Stopwatch.StartNew();
            while (!File.Exists(socket))
            {
                Assert.True(ready.Elapsed < TimeSpan.FromSeconds(30) && !daemon.HasExited, "containerd did not start");
                await Task.Delay(100);
            }

            string[] Pull(string reference) => ["--address", socket, "--namespace", "u7s-test", "images", "pull", "--plain-http", "--snapshotter", "native", reference];
            var pulled = await ExternalProcess.RunAsync("ctr", Pull(signedRef));
            pulled.EnsureSuccess("ctr pull of the signed image");
            var refused = await ExternalProcess.RunAsync("ctr", Pull(unsignedRef));
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Matches("403|denied", refused.StandardError + refused.StandardOutput);
        }
        finally
        {
            daemon.Kill(entireProcessTree: true);
            await daemon.WaitForExitAsync();
        }
    }

    /// <summary>Pushes a real one-layer image twice (signed app:1, unsigned tool:1) with skopeo; returns both references.</summary>
    private static async Task<(string Signed, string Unsigned)> PushPairAsync(EnforcedServer server)
    {
        var host = server.RegistryUrl.Authority;
        var any = server.Dir.Combine("push-any.json");
        await File.WriteAllTextAsync(any, """{"default":[{"type":"insecureAcceptAnything"}]}""");
        var digests = new List<Digest>();
        foreach (var (repository, content) in new[] { ("app", "signed"), ("tool", "unsigned") })
        {
            var layout = server.Dir.Combine("layout-" + repository);
            TestImageLayout.Write(layout, "img", content);
            var digestFile = server.Dir.Combine($"{repository}.digest");
            (await ExternalProcess.RunAsync("skopeo", ["--policy", any, "copy", "-q", "--dest-creds", $"admin:{EnforcedServer.Password}", "--dest-tls-verify=false", "--digestfile", digestFile, $"oci:{layout}:img", $"docker://{host}/{repository}:1"]))
                .EnsureSuccess("skopeo copy (push)");
            digests.Add(Digest.Parse((await File.ReadAllTextAsync(digestFile)).Trim()));
        }

        await server.SignInTreeAsync("app", "1", digests[0]);
        return ($"{host}/app:1", $"{host}/tool:1");
    }
}
