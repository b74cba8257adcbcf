using U7s.Cli.Commands;
using U7s.Cli.Tests.Support;
using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// The files create-policy and create-imagemakeruser write are what skopeo 1.9.3 runs on, unchanged:
/// the imagemaker's own policy and registries.d to push and sign, the system policy, registries.d and
/// registries.conf to pull. docker-registry holds the images, U7s's :81 app serves the written
/// <c>/var/sigstore</c> tree, the key comes from GnuPG.
/// </summary>
public sealed class NodePolicyInteropTests : IDisposable
{
    private readonly TempDirectory _work = new("u7s-interop");

    public void Dispose() => _work.Dispose();

    [RequiresToolFact("skopeo", "gpg", "docker-registry")]
    public async Task WrittenPolicy_SkopeoPullsSignedAndRefusesUnsigned()
    {
        var root = _work.Combine("root");
        Directory.CreateDirectory(root);
        await using var registry = await DebianDockerRegistry.StartAsync();
        Directory.CreateDirectory(Path.Join(root, "var", "sigstore"));
        await using var sigstore = await SigstoreServer.StartAsync(Path.Join(root, "var", "sigstore"));
        await using var gpg = new GpgSignerKeyProvisioner();
        var environment = new NodeEnvironment { Runner = new RecordingProcessRunner(), IsPrivileged = () => false, Signers = gpg.Provisioner, HostName = "example.test" };
        string[] names = ["--root", root, .. RegistryName(registry.HostPort), "--lookaside-url", new Uri(sigstore.BaseAddress, "sigstore/").ToString()];

        var policy = await CommandHarness.RunAsync(CreatePolicyCommand.Create(environment), ["192.168.122.70", "--role", "registry", .. names]);
        Assert.True(policy.ExitCode == 0, policy.Stderr);
        var maker = await CommandHarness.RunAsync(CreateImagemakerUserCommand.Create(environment),
            ["imagemaker", "--in-place", "--staging-url", $"file://{root}/var/sigstore/sigstore/", .. names]);
        Assert.True(maker.ExitCode == 0, maker.Stderr);

        var layout = _work.Combine("layout");
        TestImageLayout.Write(layout, "v1", "hello from u7s\n");
        var userConfig = Path.Join(root, "home", "imagemaker", ".config", "containers");
        string[] push = ["--policy", Path.Join(userConfig, "policy.json"), "--registries.d", Path.Join(userConfig, "registries.d"),
            "--registries-conf", Path.Join(root, "etc", "containers", "registries.conf"), "copy", "-q"];
        var signed = await ExternalProcess.RunAsync("skopeo", [.. push, "--sign-by", "imagemaker@example.test", $"oci:{layout}:v1", $"docker://{registry.HostPort}/ns/signed:v1"], gpg.Environment);
        signed.EnsureSuccess("signed push");
        var unsigned = await ExternalProcess.RunAsync("skopeo", [.. push, $"oci:{layout}:v1", $"docker://{registry.HostPort}/ns/unsigned:v1"], gpg.Environment);
        unsigned.EnsureSuccess("unsigned push");
        Assert.Single(Directory.GetFiles(Path.Join(root, "var", "sigstore", "sigstore", "ns"), "signature-1", SearchOption.AllDirectories));

        // Verification uses only the written system files; the signer's keyring is out of reach.
        string[] pull = ["--policy", Path.Join(root, "etc", "containers", "policy.json"), "--registries.d", Path.Join(root, "etc", "containers", "registries.d"),
            "--registries-conf", Path.Join(root, "etc", "containers", "registries.conf"), "copy", "-q"];
        var noKeyring = new Dictionary<string, string?> { ["GNUPGHOME"] = null };
        var good = await ExternalProcess.RunAsync("skopeo", [.. pull, $"docker://{registry.HostPort}/ns/signed:v1", $"dir:{_work.Combine("pulled-signed")}"], noKeyring);
        var bad = await ExternalProcess.RunAsync("skopeo", [.. pull, $"docker://{registry.HostPort}/ns/unsigned:v1", $"dir:{_work.Combine("pulled-unsigned")}"], noKeyring);

        Assert.True(good.ExitCode == 0, good.StandardError);
        Assert.True(File.Exists(_work.Combine("pulled-signed", "manifest.json")));
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("A signature was required, but no signature exists", bad.StandardError, StringComparison.Ordinal);
    }

    [RequiresToolFact("podman", "skopeo", "gpg", "docker-registry")]
    public async Task ImagemakerConfig_PodmanPushSignByWritesIntoStoreAndNodePolicyAccepts()
    {
        var root = _work.Combine("root");
        Directory.CreateDirectory(Path.Join(root, "var", "sigstore"));
        await using var registry = await DebianDockerRegistry.StartAsync();
        await using var sigstore = await SigstoreServer.StartAsync(Path.Join(root, "var", "sigstore"));
        await using var gpg = new GpgSignerKeyProvisioner();
        var environment = new NodeEnvironment { Runner = new RecordingProcessRunner(), IsPrivileged = () => false, Signers = gpg.Provisioner, HostName = "example.test" };
        string[] names = ["--root", root, .. RegistryName(registry.HostPort), "--lookaside-url", new Uri(sigstore.BaseAddress, "sigstore/").ToString()];
        Assert.Equal(0, (await CommandHarness.RunAsync(CreatePolicyCommand.Create(environment), ["192.168.122.70", "--role", "registry", .. names])).ExitCode);
        Assert.Equal(0, (await CommandHarness.RunAsync(CreateImagemakerUserCommand.Create(environment),
            ["imagemaker", "--in-place", "--staging-url", $"file://{root}/var/sigstore/sigstore/", .. names])).ExitCode);

        // podman as the imagemaker: HOME selects the written ~/.config/containers (policy and registries.d).
        var home = Path.Join(root, "home", "imagemaker");
        var pm = _work.Combine("pm");
        foreach (var dir in new[] { "root", "runroot", "tmp" })
        {
            Directory.CreateDirectory(Path.Join(pm, dir));
        }

        File.WriteAllText(Path.Join(pm, "storage.conf"), $"[storage]\ndriver = \"vfs\"\nrunroot = \"{pm}/runroot\"\ngraphroot = \"{pm}/root\"\n");
        File.WriteAllText(Path.Join(pm, "containers.conf"), "[engine]\nevents_logger = \"none\"\ncgroup_manager = \"cgroupfs\"\n");
        var podmanEnvironment = new Dictionary<string, string?>(gpg.Environment)
        {
            ["HOME"] = home,
            ["TMPDIR"] = Path.Join(pm, "tmp"),
            ["CONTAINERS_REGISTRIES_CONF"] = Path.Join(root, "etc", "containers", "registries.conf"),
            ["CONTAINERS_STORAGE_CONF"] = Path.Join(pm, "storage.conf"),
            ["CONTAINERS_CONF"] = Path.Join(pm, "containers.conf"),
        };
        var layout = _work.Combine("layout");
        TestImageLayout.Write(layout, "v1", "pushed by podman\n");
        var image = $"{registry.HostPort}/ns/podman:v1";
        (await ExternalProcess.RunAsync("skopeo", ["--policy", Path.Join(home, ".config", "containers", "policy.json"), "copy", "-q",
            $"oci:{layout}:v1", $"containers-storage:[vfs@{pm}/root+{pm}/runroot]{image}"], podmanEnvironment)).EnsureSuccess("load into podman storage");

        var push = await ExternalProcess.RunAsync("podman", ["--storage-driver", "vfs", "--root", $"{pm}/root", "--runroot", $"{pm}/runroot",
            "push", "--sign-by", "imagemaker@example.test", image], podmanEnvironment);
        push.EnsureSuccess("podman push --sign-by");
        Assert.Single(Directory.GetFiles(Path.Join(root, "var", "sigstore", "sigstore", "ns"), "signature-1", SearchOption.AllDirectories));

        var pull = await ExternalProcess.RunAsync("skopeo", ["--policy", Path.Join(root, "etc", "containers", "policy.json"),
            "--registries.d", Path.Join(root, "etc", "containers", "registries.d"), "--registries-conf", Path.Join(root, "etc", "containers", "registries.conf"),
            "copy", "-q", $"docker://{image}", $"dir:{_work.Combine("pulled")}"], new Dictionary<string, string?> { ["GNUPGHOME"] = null });
        Assert.True(pull.ExitCode == 0, pull.StandardError);
    }

    // 127.0.0.1:5000 → --registry-name 127.0.0.1 --registry-port 5000: the scope nodes pull with.
    private static string[] RegistryName(string hostPort) => ["--registry-name", hostPort.Split(':')[0], "--registry-port", hostPort.Split(':')[1]];
}
