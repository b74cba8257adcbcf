using System.Text.Json.Nodes;
using U7s.Loader.Generator;
using U7s.Loader.Loading;
using U7s.Loader.Names;
using U7s.Loader.Registry;
using U7s.Loader.Tests.Support;
using U7s.Testing;
using U7s.Testing.Signing;

namespace U7s.Loader.Tests.Loading;

/// <summary>
/// podman 4.3.1 pulls a loaded, gpg-signed image with uncompressed layers under a signedBy policy
/// (SPEC §1.6, INTEROP §7): private vfs storage, no daemon, everything under a temp directory.
/// </summary>
public sealed class PodmanPullInteropTests(DockerRegistry registry) : IClassFixture<DockerRegistry>, IDisposable
{
    private readonly TempDirectory _temp = new("u7s-podman");

    public void Dispose() => _temp.Dispose();

    [RequiresToolFact("docker-registry", "podman", "gpg")]
    public async Task PodmanPull_SignedLoadedImage_VerifiesAndUnsignedIsRejected()
    {
        using var keyring = await GpgKeyring.CreateAsync();
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("a.tar.xz"), new GeneratorOptions { ImageCount = 7, Seed = 61 }, CancellationToken.None);
        var lookaside = _temp.Combine("www");
        var loader = new ArchiveLoader(new RegistryHttpSink(registry.Client), new GpgImageSigner(keyring, lookaside), null);
        var result = await loader.LoadAsync(
            new LoadRequest { ArchivePath = archive.Path, Architecture = "amd64", Names = NameMapper.Create(null, "k8s-c10f1", null) },
            CancellationToken.None);
        var pause = result.Images.Single(i => i.Image.Target.ToString() == "registry.local/k8s-c10f1/pause:3.9");
        var etcd = result.Images.Single(i => i.Image.Target.ToString() == "registry.local/k8s-c10f1/etcd:3.5.6-0");
        File.Delete(Path.Combine(lookaside, "sigstore", $"{etcd.Image.Repository}@sha256={etcd.Digest.Hex}", "signature-1"));

        var env = await PodmanEnvironmentAsync(keyring.PublicKeyPath, lookaside);
        var good = await PodmanAsync(env, "pull", "-q", "--signature-policy", _temp.Combine("policy.json"), $"{registry.HostPort}/k8s-c10f1/pause:3.9");
        Assert.True(good.ExitCode == 0, good.StandardError);
        var inspect = (await PodmanAsync(env, "image", "inspect", "--format", "{{.Digest}}", $"{registry.HostPort}/k8s-c10f1/pause:3.9")).EnsureSuccess("podman image inspect");
        Assert.Equal(pause.Digest.ToString(), inspect.StandardOutput.Trim());

        var bad = await PodmanAsync(env, "pull", "-q", "--signature-policy", _temp.Combine("policy.json"), $"{registry.HostPort}/k8s-c10f1/etcd:3.5.6-0");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("A signature was required, but no signature exists", bad.StandardError, StringComparison.Ordinal);
    }

    private async Task<Dictionary<string, string?>> PodmanEnvironmentAsync(string publicKey, string lookaside)
    {
        var pm = _temp.Combine("pm");
        foreach (var dir in new[] { "home/.config/containers/registries.d", "root", "runroot", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(pm, dir));
        }

        await File.WriteAllTextAsync(Path.Combine(pm, "storage.conf"), $"[storage]\ndriver = \"vfs\"\nrunroot = \"{pm}/runroot\"\ngraphroot = \"{pm}/root\"\n");
        await File.WriteAllTextAsync(Path.Combine(pm, "containers.conf"), "[engine]\nevents_logger = \"none\"\ncgroup_manager = \"cgroupfs\"\n");
        await File.WriteAllTextAsync(_temp.Combine("registries.conf"), $"unqualified-search-registries = []\n[[registry]]\nlocation = \"{registry.HostPort}\"\ninsecure = true\n");
        await File.WriteAllTextAsync(
            Path.Combine(pm, "home/.config/containers/registries.d/test.yaml"),
            $"docker:\n  {registry.HostPort}:\n    lookaside: file://{Path.Combine(lookaside, "sigstore")}\n");
        var requirement = new JsonObject
        {
            ["type"] = "signedBy",
            ["keyType"] = "GPGKeys",
            ["keyPath"] = publicKey,
            ["signedIdentity"] = new JsonObject { ["type"] = "remapIdentity", ["prefix"] = registry.HostPort, ["signedPrefix"] = "registry.local" },
        };
        var policy = new JsonObject
        {
            ["default"] = new JsonArray(new JsonObject { ["type"] = "reject" }),
            ["transports"] = new JsonObject { ["docker"] = new JsonObject { [registry.HostPort] = new JsonArray(requirement) } },
        };
        await File.WriteAllTextAsync(_temp.Combine("policy.json"), policy.ToJsonString());
        return new Dictionary<string, string?>
        {
            ["HOME"] = Path.Combine(pm, "home"),
            ["TMPDIR"] = Path.Combine(pm, "tmp"),
            ["CONTAINERS_REGISTRIES_CONF"] = _temp.Combine("registries.conf"),
            ["CONTAINERS_STORAGE_CONF"] = Path.Combine(pm, "storage.conf"),
            ["CONTAINERS_CONF"] = Path.Combine(pm, "containers.conf"),
            ["GNUPGHOME"] = null,
        };
    }

    private Task<ProcessResult> PodmanAsync(Dictionary<string, string?> env, params string[] args)
    {
        var pm = _temp.Combine("pm");
        return ExternalProcess.RunAsync("podman", ["--storage-driver", "vfs", "--root", Path.Combine(pm, "root"), "--runroot", Path.Combine(pm, "runroot"), .. args], env, null, TimeSpan.FromMinutes(2));
    }
}
