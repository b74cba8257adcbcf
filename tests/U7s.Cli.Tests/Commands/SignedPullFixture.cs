using System.Text;
using U7s.Cli;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// The real <c>u7s serve</c> (registry on one port, signature store on the other, over a temp store), the sample keys imported with
/// <c>u7s keys import</c>, and skopeo configured as a node (policy trusting the published key,
/// lookaside on the :81 app). Shared by the signed-pull tests.
/// </summary>
public class SignedPullFixture : IAsyncLifetime
{
    public TempDirectory Temp { get; } = new("u7s-pull");

    public U7sProcess? Server { get; private set; }

    public string RegistryHost => Server!.RegistryUrl.Authority;

    public string SigstoreRoot => Temp.Combine("www");

    public string KeyDir => Temp.Combine("keys");

    public string PolicyPath => Temp.Combine("policy.json");

    public string PolicyAnyPath => Temp.Combine("policy-any.json");

    public string RegistriesD => Temp.Combine("rd-pull");

    public string PublishedKey => Path.Combine(SigstoreRoot, "keys", "imagemaker.pgp");

    /// <summary>The node's root-owned trusted key directory (what <c>/etc/u7s/keys</c> is on a node): the signer's key only.</summary>
    public string TrustedKeys => Temp.Combine("trusted-keys");

    public string SigstoreBase { get; private set; } = string.Empty;

    /// <summary>True when the tests skip, so there is nothing to set up.</summary>
    protected virtual bool Skipped => Tool.Find("skopeo") is null;

    public async Task InitializeAsync()
    {
        if (Skipped)
        {
            return;
        }

        Directory.CreateDirectory(Path.Combine(SigstoreRoot, "sigstore"));
        await File.WriteAllTextAsync(Path.Combine(SigstoreRoot, "index.html"), "<html><body><h1>SigStore works!</h1></body></html>");
        Server = await StartServerAsync();
        SigstoreBase = Server.SigstoreUrl.ToString().TrimEnd('/');

        (await CliAsync("keys", "import", SampleKeys.PathOf("signer.sec.asc"), "--key-dir", KeyDir, "--publish", "--sigstore-root", SigstoreRoot, "--user", "imagemaker")).Ensure();
        (await CliAsync("keys", "import", SampleKeys.PathOf("protected.sec.asc"), "--key-dir", KeyDir)).Ensure();
        Directory.CreateDirectory(TrustedKeys);
        File.Copy(PublishedKey, Path.Combine(TrustedKeys, "imagemaker.pgp"));
        await File.WriteAllTextAsync(Temp.Combine("pass.txt"), SampleKeys.ProtectedPassphrase + "\n");

        await File.WriteAllTextAsync(PolicyAnyPath, """{"default":[{"type":"insecureAcceptAnything"}]}""");
        await File.WriteAllTextAsync(PolicyPath,
            "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"" + RegistryHost
            + "\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"" + PublishedKey + "\"}]}}}");
        Directory.CreateDirectory(RegistriesD);

        // Trailing slash on purpose: clients then request //<repo>, which the :81 app must collapse (SPEC §2.4).
        await File.WriteAllTextAsync(Path.Combine(RegistriesD, "test.yaml"), $"docker:\n  {RegistryHost}:\n    lookaside: {SigstoreBase}/sigstore/\n");
    }

    /// <summary>The <c>u7s serve</c> under test, over <c>data</c> in <see cref="Temp"/> and <see cref="SigstoreRoot"/>.</summary>
    protected virtual Task<U7sProcess> StartServerAsync() => U7sProcess.StartAsync(Temp.Combine("data"), SigstoreRoot);

    public virtual async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        Temp.Dispose();
    }

    /// <summary>Builds a distinct one-layer image and pushes it as <c>&lt;registry&gt;/&lt;repoTag&gt;</c>.</summary>
    public async Task<string> PushAsync(string repoTag, string content, bool multiArch = false)
    {
        var layout = Temp.Combine("layouts", Guid.NewGuid().ToString("N"));
        if (multiArch)
        {
            TestImageLayout.WriteMultiArch(layout, "img", content);
        }
        else
        {
            TestImageLayout.Write(layout, "img", content);
        }

        var reference = $"{RegistryHost}/{repoTag}";
        (await ExternalProcess.RunAsync("skopeo", ["--policy", PolicyAnyPath, "copy", "-q", "--all", "--dest-tls-verify=false", $"oci:{layout}:img", $"docker://{reference}"]))
            .EnsureSuccess("skopeo copy (push)");
        return reference;
    }

    /// <summary>A verified pull as a node does it: only the policy's key counts (<paramref name="policy"/>, else <see cref="PolicyPath"/>).</summary>
    public Task<ProcessResult> PullAsync(string reference, string? arch = null, string? policy = null)
    {
        Directory.CreateDirectory(Temp.Combine("pulls"));
        string[] platform = arch is null ? [] : ["--override-arch", arch];
        return ExternalProcess.RunAsync(
            "skopeo",
            [.. platform, "--policy", policy ?? PolicyPath, "--registries.d", RegistriesD, "copy", "-q", "--src-tls-verify=false", $"docker://{reference}", $"dir:{Temp.Combine("pulls", Guid.NewGuid().ToString("N"))}"],
            new Dictionary<string, string?> { ["GNUPGHOME"] = null });
    }

    /// <summary>
    /// <c>podman pull</c> with private storage and configuration (INTEROP §7): registries.d from
    /// <c>$HOME/.config/containers</c>, the registry marked insecure, the node policy.
    /// </summary>
    public async Task<ProcessResult> PodmanPullAsync(string reference, string? policy = null)
    {
        var pm = Temp.Combine("pm");
        var home = Path.Combine(pm, "home");
        var registriesD = Path.Combine(home, ".config", "containers", "registries.d");
        if (!Directory.Exists(registriesD))
        {
            Directory.CreateDirectory(registriesD);
            foreach (var d in new[] { "root", "runroot", "tmp" })
            {
                Directory.CreateDirectory(Path.Combine(pm, d));
            }

            File.Copy(Path.Combine(RegistriesD, "test.yaml"), Path.Combine(registriesD, "test.yaml"));
            await File.WriteAllTextAsync(Path.Combine(pm, "storage.conf"), $"[storage]\ndriver = \"vfs\"\nrunroot = \"{pm}/runroot\"\ngraphroot = \"{pm}/root\"\n");
            await File.WriteAllTextAsync(Path.Combine(pm, "containers.conf"), "[engine]\nevents_logger = \"none\"\ncgroup_manager = \"cgroupfs\"\n");
            await File.WriteAllTextAsync(Path.Combine(pm, "registries.conf"), $"unqualified-search-registries = []\n[[registry]]\nlocation = \"{RegistryHost}\"\ninsecure = true\n");
        }

        var environment = new Dictionary<string, string?>
        {
            ["HOME"] = home,
            ["TMPDIR"] = Path.Combine(pm, "tmp"),
            ["CONTAINERS_REGISTRIES_CONF"] = Path.Combine(pm, "registries.conf"),
            ["CONTAINERS_STORAGE_CONF"] = Path.Combine(pm, "storage.conf"),
            ["CONTAINERS_CONF"] = Path.Combine(pm, "containers.conf"),
            ["GNUPGHOME"] = null,
        };
        return await ExternalProcess.RunAsync(
            "podman",
            ["--storage-driver", "vfs", "--root", Path.Combine(pm, "root"), "--runroot", Path.Combine(pm, "runroot"), "pull", "-q", "--signature-policy", policy ?? PolicyPath, reference],
            environment);
    }

    /// <summary>
    /// The whole round as an imagemaker and a node meet it: two images pushed under <paramref name="repositoryPrefix"/>,
    /// one signed with <c>u7s sign</c> (through <see cref="CliAsync"/>); the node's pull of the signed one verifies,
    /// the unsigned one is refused for want of a signature.
    /// </summary>
    public async Task AssertSignedPullAsync(string repositoryPrefix)
    {
        var signed = await PushAsync($"{repositoryPrefix}/app:v1", repositoryPrefix);
        var unsigned = await PushAsync($"{repositoryPrefix}/unsigned:v1", repositoryPrefix + "-unsigned");

        var sign = (await CliAsync("sign", signed, "--key", SampleKeys.SignerEmail, "--key-dir", KeyDir, "--sigstore-root", SigstoreRoot)).Ensure();
        var pull = await PullAsync(signed);
        var refused = await PullAsync(unsigned);

        Assert.Contains("signature-1 written", sign.Output, StringComparison.Ordinal);
        Assert.True(pull.ExitCode == 0, pull.StandardError);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("A signature was required, but no signature exists", refused.StandardError, StringComparison.Ordinal);
    }

    /// <summary>A node policy for this registry that trusts only the keys in <paramref name="keyPaths"/>.</summary>
    public string PolicyTrusting(params string[] keyPaths)
    {
        var path = Temp.Combine($"policy-{Guid.NewGuid():N}.json");
        File.WriteAllText(path,
            "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"" + RegistryHost
            + "\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPaths\":[" + string.Join(',', keyPaths.Select(k => $"\"{k}\"")) + "]}]}}}");
        return path;
    }

    /// <summary>One <c>u7s</c> verb, in process by default.</summary>
    public virtual async Task<CliResult> CliAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr, CancellationToken.None);
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }
}
