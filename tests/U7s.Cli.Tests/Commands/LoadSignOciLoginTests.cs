using System.Text;
using U7s.Loader.Generator;
using U7s.Security.Login;
using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// <c>load-sign-oci --registry</c> into the real <c>u7s serve</c> with an htpasswd file and enforcement on: the
/// push needs the imagemaker's login (from an auth file, as podman login writes it), the loader's own verification
/// reads the still unsigned manifests with it, and afterwards skopeo pulls a signed image anonymously as a node.
/// </summary>
public sealed class LoadSignOciLoginTests : IDisposable
{
    private const string Password = "maker-Pw-5521";

    private readonly TempDirectory _temp = new("u7s-load-login");

    public void Dispose() => _temp.Dispose();

    [RequiresToolFact("skopeo")]
    public async Task LoadSignOci_IntoServeWithLoginsAndEnforcement_NeedsTheLogin_ThenNodesPull()
    {
        var keys = _temp.Combine("keys");
        var publicKey = SampleKeys.PathOf("signer.pub.asc");
        (await CliResult.RunAsync("keys", "import", SampleKeys.PathOf("signer.sec.asc"), "--key-dir", keys)).Ensure();
        var policy = _temp.Combine("node-policy.json");
        await File.WriteAllTextAsync(policy,
            "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"registry.local\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"" + publicKey + "\"}]}}}");
        var htpasswd = _temp.Combine("htpasswd");
        new HtpasswdFile(htpasswd).Set("maker", Password);
        var signers = TestSigners.Write(_temp.Combine("etc", "signers.json"), TestSigners.Policy(("registry.local", "maker")), ("maker", SampleKeys.SignerPublic));
        var sigstore = _temp.Combine("sigstore");
        Directory.CreateDirectory(Path.Combine(sigstore, "sigstore"));
        await using var server = await U7sProcess.StartAsync(_temp.Combine("data"), sigstore, new Dictionary<string, string>
        {
            ["U7S_REGISTRY__AUTH__HTPASSWD"] = htpasswd,
            ["U7S_REGISTRY__AUTH__SIGNERS"] = signers,
            ["U7S_REGISTRY__AUTH__WRITERS__maker__0"] = "*",
            ["U7S_REGISTRY__ENFORCE__MODE"] = "enforce",
            ["U7S_REGISTRY__ENFORCE__POLICY"] = policy,
        });
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("amd64.tar.xz"), new GeneratorOptions { ImageCount = 2, Seed = 31 }, CancellationToken.None);
        var authFile = _temp.Combine("auth.json");
        await File.WriteAllTextAsync(authFile, $"{{\"auths\":{{\"{server.RegistryUrl.Authority}\":{{\"auth\":\"{Convert.ToBase64String(Encoding.UTF8.GetBytes($"maker:{Password}"))}\"}}}}}}");
        var empty = _temp.Combine("empty.json");
        await File.WriteAllTextAsync(empty, "{}");
        string[] load = ["load-sign-oci", archive.Path, "amd64", SampleKeys.SignerEmail, "--registry", server.RegistryUrl.ToString(), "--key-dir", keys, "--sigstore-root", sigstore, "--policy", policy];

        var anonymous = await CliResult.RunAsync([.. load, "--authfile", empty]);
        var loaded = await CliResult.RunAsync([.. load, "--authfile", authFile]);

        Assert.NotEqual(ExitCodes.Success, anonymous.ExitCode);
        Assert.Single(anonymous.Error.TrimEnd('\n').Split('\n'));
        Assert.Contains("401", anonymous.Error, StringComparison.Ordinal);
        Assert.True(loaded.ExitCode == ExitCodes.Success, loaded.Error);
        Assert.DoesNotContain("NOT VERIFIED", loaded.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, loaded.Output + loaded.Error, StringComparison.Ordinal);

        // A node: signedBy the key, signatures from :81, anonymous, through enforcement.
        using var tools = new ContainerTools();
        var image = archive.Images.First(i => !i.RefName.Contains("index", StringComparison.Ordinal));
        var pull = await LoadSignOciEndToEndTests.PullAsync(tools, LoadSignOciEndToEndTests.NodeConfiguration(tools, server, publicKey), server, image.RefName);
        Assert.True(pull.ExitCode == 0, pull.StandardError);
    }
}
