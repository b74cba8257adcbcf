using U7s.Cli.Loading;
using U7s.Loader.Generator;
using U7s.Oci;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// The whole loader path with the real pieces: a generated archive, <c>u7s load-sign-oci</c> with
/// the product's own signer and verifier into a running <c>u7s serve</c>, skopeo 1.9.3 pulling every
/// image as a node does (signedBy policy, lookaside on U7s's :81), <c>u7s save-oci</c> and a second
/// load with <c>--data</c> into another data root served by another <c>u7s serve</c>.
/// </summary>
public sealed class LoadSignOciEndToEndTests : IDisposable
{
    private readonly TempDirectory _temp = new("u7s-load-e2e");

    public void Dispose() => _temp.Dispose();

    [RequiresToolFact("skopeo")]
    public async Task LoadSignOci_IntoRunningU7s_SkopeoPullsEveryImageAndSaveReloadKeepsDigests()
    {
        var keys = _temp.Combine("keys");
        var publicKey = SampleKeys.PathOf("signer.pub.asc");
        (await CliResult.RunAsync("keys", "import", SampleKeys.PathOf("signer.sec.asc"), "--key-dir", keys)).Ensure();
        var policy = _temp.Combine("node-policy.json");
        await File.WriteAllTextAsync(policy,
            "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"registry.local\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"" + publicKey + "\"}]}}}");
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("amd64.tar.xz"), new GeneratorOptions { ImageCount = 3, Seed = 71 }, CancellationToken.None);
        var sigstore = _temp.Combine("sigstore");
        Directory.CreateDirectory(Path.Combine(sigstore, "sigstore"));
        await using var server = await U7sProcess.StartAsync(_temp.Combine("data"), sigstore);
        using var tools = new ContainerTools();

        // 1. Load over HTTP into the running server, signed with the imagemaker's key from --key-dir.
        string[] load = ["load-sign-oci", archive.Path, "amd64", SampleKeys.SignerEmail, "--registry", server.RegistryUrl.ToString(), "--key-dir", keys, "--sigstore-root", sigstore, "--policy", policy];
        var first = (await CliResult.RunAsync(load)).Ensure();
        Assert.Contains($"{SampleKeys.SignerEmail} ({SampleKeys.SignerFingerprint})", first.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("blobs: 0 sent", first.Output, StringComparison.Ordinal);
        foreach (var image in archive.Images)
        {
            var directory = Path.Combine(sigstore, "sigstore", $"{image.RefName.Split(':')[0]}@sha256={image.ManifestDigest.Hex}");
            Assert.True(File.Exists(Path.Combine(directory, "signature-1")), directory);
        }

        // 2. A node pulls every image: signedBy the published key, signatures over HTTP from :81.
        var node = NodeConfiguration(tools, server, publicKey);
        foreach (var image in archive.Images)
        {
            var pulled = await PullAsync(tools, node, server, image.RefName);
            Assert.True(pulled.ExitCode == 0, pulled.StandardError);
            Assert.Equal(image.ManifestDigest.ToString(), await PulledDigestAsync(pulled.StandardOutput));
        }

        // 3. Re-running the same load sends no blob and writes no signature.
        var signaturesBefore = SignatureFiles(sigstore);
        var second = (await CliResult.RunAsync(load)).Ensure();
        Assert.Contains($"{archive.Images.Count} images; blobs: 0 sent (0 B), 0 mounted,", second.Output, StringComparison.Ordinal);
        Assert.Contains("signature-1 (existing)", second.Output, StringComparison.Ordinal);
        Assert.Equal(signaturesBefore, SignatureFiles(sigstore));

        // 4. Without its signature an image is refused by the node.
        var victim = archive.Images[^1];
        File.Delete(Path.Combine(sigstore, "sigstore", $"{victim.RefName.Split(':')[0]}@sha256={victim.ManifestDigest.Hex}", "signature-1"));
        var refused = await PullAsync(tools, node, server, victim.RefName);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("signature", refused.StandardError, StringComparison.OrdinalIgnoreCase);

        // 5. save-oci from U7s, then load with --data into a second data root while its server runs.
        var saved = _temp.Combine("saved.tar.xz");
        (await CliResult.RunAsync(["save-oci", saved, "amd64", .. archive.Images.Select(i => $"registry.local/{i.RefName}"), "--registry", server.RegistryUrl.ToString()])).Ensure();
        var secondData = _temp.Combine("data2");
        var secondSigstore = _temp.Combine("sigstore2");
        Directory.CreateDirectory(Path.Combine(secondSigstore, "sigstore"));
        await using var secondServer = await U7sProcess.StartAsync(secondData, secondSigstore);
        (await CliResult.RunAsync("load-sign-oci", saved, "amd64", SampleKeys.SignerEmail, "--data", secondData, "--key-dir", keys, "--sigstore-root", secondSigstore, "--policy", policy)).Ensure();

        await using (var store = LocalRegistryStore.Open(secondData))
        {
            foreach (var image in archive.Images)
            {
                var stored = await store.Manifests.GetManifestOrNullAsync(Reference.Parse($"registry.local/{image.RefName}"), CancellationToken.None);
                Assert.Equal(image.ManifestDigest, stored?.Digest);
            }
        }

        var secondNode = NodeConfiguration(tools, secondServer, publicKey);
        var fromSecond = await PullAsync(tools, secondNode, secondServer, victim.RefName);
        Assert.True(fromSecond.ExitCode == 0, fromSecond.StandardError);
        Assert.Equal(victim.ManifestDigest.ToString(), await PulledDigestAsync(fromSecond.StandardOutput));
    }

    [RequiresToolFact("skopeo")]
    public async Task LoadSignOci_TruncatedArchive_FailsAndTagsNothing()
    {
        var keys = _temp.Combine("keys");
        (await CliResult.RunAsync("keys", "import", SampleKeys.PathOf("signer.sec.asc"), "--key-dir", keys)).Ensure();
        var policy = _temp.Combine("policy.json");
        await File.WriteAllTextAsync(policy, "{\"default\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"" + SampleKeys.PathOf("signer.pub.asc") + "\"}]}");
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("amd64.tar.xz"), new GeneratorOptions { ImageCount = 2, Seed = 72, IndexFirst = true }, CancellationToken.None);
        var bytes = await File.ReadAllBytesAsync(archive.Path);
        await File.WriteAllBytesAsync(archive.Path, bytes[..(bytes.Length * 3 / 4)]);
        var sigstore = _temp.Combine("sigstore");
        await using var server = await U7sProcess.StartAsync(_temp.Combine("data"), sigstore);

        var result = await CliResult.RunAsync("load-sign-oci", archive.Path, "amd64", SampleKeys.SignerEmail, "registry.local/bad/k8s-c10f1", "--registry", server.RegistryUrl.ToString(), "--key-dir", keys, "--sigstore-root", sigstore, "--policy", policy);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Single(result.Error.Trim().Split('\n'));
        using var http = new HttpClient { BaseAddress = server.RegistryUrl };
        foreach (var image in archive.Images)
        {
            // Blobs may already be stored (they stream in as the archive is read); no tag may exist.
            var (name, tag) = (image.RefName.Split(':')[0], image.RefName.Split(':')[1]);
            using var response = await http.GetAsync(new Uri($"/v2/bad/{name}/manifests/{tag}", UriKind.Relative));
            Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
            using var tags = await http.GetAsync(new Uri($"/v2/bad/{name}/tags/list", UriKind.Relative));
            Assert.DoesNotContain(tag, await tags.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Empty(SignatureFiles(sigstore));
    }

    [Fact]
    public async Task LoadSignOci_PolicyAcceptingAnything_SaysNoSignatureWasChecked()
    {
        var keys = _temp.Combine("keys");
        (await CliResult.RunAsync("keys", "import", SampleKeys.PathOf("signer.sec.asc"), "--key-dir", keys)).Ensure();
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("amd64.tar.xz"), new GeneratorOptions { ImageCount = 1, Seed = 75 }, CancellationToken.None);
        var policy = _temp.Combine("policy.json");
        await File.WriteAllTextAsync(policy, """{"default":[{"type":"insecureAcceptAnything"}]}""");
        var data = _temp.Combine("data");
        Directory.CreateDirectory(data);

        var result = await CliResult.RunAsync("load-sign-oci", archive.Path, "amd64", SampleKeys.SignerEmail, "--data", data, "--key-dir", keys, "--sigstore-root", _temp.Combine("sigstore"), "--policy", policy);

        Assert.True(result.ExitCode == 0, result.Error + result.Output);
        Assert.Contains("accepted, unchecked", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("│ yes ", result.Output, StringComparison.Ordinal);
        Assert.Contains("warning: the policy accepts any image in scope default (insecureAcceptAnything); no signature was checked", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadSignOci_UnknownSignerKey_RefusedBeforeAnythingIsWritten()
    {
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("amd64.tar.xz"), new GeneratorOptions { ImageCount = 1, Seed = 73 }, CancellationToken.None);
        var policy = _temp.Combine("policy.json");
        await File.WriteAllTextAsync(policy, """{"default":[{"type":"reject"}]}""");
        var data = _temp.Combine("data");
        Directory.CreateDirectory(data);

        var result = await CliResult.RunAsync("load-sign-oci", archive.Path, "amd64", "nobody@example.test", "--data", data, "--key-dir", _temp.Combine("no-keys"), "--sigstore-root", _temp.Combine("sigstore"), "--policy", policy);

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.StartsWith("u7s: signer key not usable: no signing key for 'nobody@example.test'", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(data, "blobs")) && Directory.EnumerateFiles(Path.Combine(data, "blobs"), "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task LoadSignOci_ProtectedKeyWithoutPassphrase_RefusedWithoutPrompting()
    {
        var keys = _temp.Combine("keys");
        (await CliResult.RunAsync("keys", "import", SampleKeys.PathOf("protected.sec.asc"), "--key-dir", keys)).Ensure();
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("amd64.tar.xz"), new GeneratorOptions { ImageCount = 1, Seed = 74 }, CancellationToken.None);
        var policy = _temp.Combine("policy.json");
        await File.WriteAllTextAsync(policy, """{"default":[{"type":"reject"}]}""");
        await File.WriteAllTextAsync(_temp.Combine("wrong.txt"), "not-the-passphrase\n");
        Directory.CreateDirectory(_temp.Combine("data"));
        string[] common = ["load-sign-oci", archive.Path, "amd64", SampleKeys.ProtectedEmail, "--data", _temp.Combine("data"), "--key-dir", keys, "--sigstore-root", _temp.Combine("sigstore"), "--policy", policy];

        var missing = await CliResult.RunAsync(common);
        var wrong = await CliResult.RunAsync([.. common, "--passphrase-file", _temp.Combine("wrong.txt")]);

        Assert.Equal(ExitCodes.Refused, missing.ExitCode);
        Assert.Contains("is protected", missing.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Refused, wrong.ExitCode);
        Assert.Contains("bad passphrase", wrong.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadSignOci_DataRootMissing_ExitsUnavailableWithoutCreatingIt()
    {
        var archive = _temp.Combine("a.tar.xz");
        await File.WriteAllBytesAsync(archive, [0xFD]);
        var policy = _temp.Combine("policy.json");
        await File.WriteAllTextAsync(policy, """{"default":[{"type":"reject"}]}""");
        var data = _temp.Combine("no-such-root");

        var result = await CliResult.RunAsync("load-sign-oci", archive, "amd64", SampleKeys.SignerEmail, "--data", data, "--key-dir", _temp.Combine("keys"), "--sigstore-root", _temp.Combine("sigstore"), "--policy", policy);

        Assert.Equal(ExitCodes.Unavailable, result.ExitCode);
        Assert.Equal($"u7s: cannot use the data root: data root '{data}' does not exist", result.Error.Trim());
        Assert.False(Directory.Exists(data));
    }

    internal static (string Policy, string RegistriesD) NodeConfiguration(ContainerTools tools, U7sProcess server, string publicKey)
    {
        var hostPort = server.RegistryUrl.Authority;
        var directory = tools.NewDirectory("node");
        var policy = Path.Combine(directory, "policy.json");
        // The images are signed as registry.local/…; the test reaches that registry as 127.0.0.1:<port>.
        File.WriteAllText(policy,
            "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"" + hostPort + "\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"" + publicKey
            + "\",\"signedIdentity\":{\"type\":\"remapIdentity\",\"prefix\":\"" + hostPort + "\",\"signedPrefix\":\"registry.local\"}}]}}}");
        var registriesD = Path.Combine(directory, "registries.d");
        Directory.CreateDirectory(registriesD);
        File.WriteAllText(Path.Combine(registriesD, "u7s.yaml"), $"docker:\n  {hostPort}:\n    lookaside: {server.SigstoreUrl.ToString().TrimEnd('/')}/sigstore/\n");
        return (policy, registriesD);
    }

    internal static async Task<ProcessResult> PullAsync(ContainerTools tools, (string Policy, string RegistriesD) node, U7sProcess server, string refName)
    {
        var output = tools.NewDirectory("pull");
        var result = await tools.SkopeoAsync("--policy", node.Policy, "--registries.d", node.RegistriesD, "copy", "-q", "--src-tls-verify=false", $"docker://{server.RegistryUrl.Authority}/{refName}", $"dir:{output}");
        return result with { StandardOutput = Path.Combine(output, "manifest.json") };
    }

    private static async Task<string> PulledDigestAsync(string manifestPath) =>
        (await ExternalProcess.RunAsync("skopeo", ["manifest-digest", manifestPath])).EnsureSuccess("skopeo manifest-digest").StandardOutput.Trim();

    private static List<string> SignatureFiles(string sigstore) =>
        Directory.Exists(sigstore)
            ? [.. Directory.EnumerateFiles(sigstore, "signature-*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)]
            : [];
}
