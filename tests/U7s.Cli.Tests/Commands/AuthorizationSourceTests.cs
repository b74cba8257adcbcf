using System.Net;
using System.Net.Http.Headers;
using System.Text;
using U7s.Cli.Tests.Support;
using U7s.Oci;
using U7s.Security.Login;
using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// Where push, delete and signing rights come from on the real server: the root-owned authorization
/// file, never the served keys/ that every imagemaker (group podman_dev) can rewrite; and a start that
/// refuses an authorization file others could write, a missing htpasswd, and an install whose rights
/// are still only in the served tree.
/// </summary>
public sealed class AuthorizationSourceTests : IDisposable
{
    private const string Policy = """
        {"default":[{"type":"reject"}],"transports":{"docker":{"registry.local/k8s-c10f1":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/var/sigstore/keys/bob.pgp"}]}}}
        """;

    private readonly TempDirectory _dir = new("u7s-authz");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task GroupMemberRewritingTheServedKeys_GainsNoPushDeleteOrSignatureRight()
    {
        var htpasswd = _dir.Combine("htpasswd");
        new HtpasswdFile(htpasswd).Set("bob", "bob-pw");
        new HtpasswdFile(htpasswd).Set("mallory", "mallory-pw");
        var signers = TestSigners.Write(_dir.Combine("etc", "signers.json"), Policy, ("bob", SampleKeys.SignerPublic));
        var keys = _dir.Combine("sig", "keys");
        Directory.CreateDirectory(keys);
        await File.WriteAllTextAsync(Path.Combine(keys, "policy.json"), Policy);
        await File.WriteAllBytesAsync(Path.Combine(keys, "bob.pgp"), SampleKeys.SignerPublic);
        await using var server = await U7sProcess.StartAsync(_dir.Combine("data"), _dir.Combine("sig"), new Dictionary<string, string>
        {
            ["U7S_REGISTRY__AUTH__HTPASSWD"] = htpasswd,
            ["U7S_REGISTRY__AUTH__SIGNERS"] = signers,
        });
        using var bob = Client(server.RegistryUrl, "bob", "bob-pw");
        var pause = await SmallImage.PushAsync(bob, "k8s-c10f1/pause", "3.9");

        // mallory, in podman_dev, names herself signer of every scope in the served policy, adds her key
        // (the sample signer's, whose secret she holds) and puts it in place of bob's.
        await File.WriteAllTextAsync(Path.Combine(keys, "policy.json"), TestSigners.Policy(("registry.local", "mallory"), ("registry.local/k8s-c10f1", "mallory")));
        await File.WriteAllBytesAsync(Path.Combine(keys, "mallory.pgp"), SampleKeys.SignerPublic);
        await File.WriteAllBytesAsync(Path.Combine(keys, "bob.pgp"), SampleKeys.ProtectedPublic);

        using var mallory = Client(server.RegistryUrl, "mallory", "mallory-pw");
        using (var push = await mallory.PostAsync("/v2/k8s-c10f1/evil/blobs/uploads/", null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, push.StatusCode);
        }

        using (var delete = await mallory.DeleteAsync($"/v2/k8s-c10f1/pause/manifests/{pause.Digest}"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        }

        using var malloryStore = Client(server.SigstoreUrl, "mallory", "mallory-pw");
        var signaturePath = $"/sigstore/k8s-c10f1/pause@sha256={pause.Digest.Hex}/signature";
        using (var sign = await malloryStore.PutAsync(signaturePath, SampleSignature.Content("registry.local/k8s-c10f1/pause:3.9", pause.Digest)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, sign.StatusCode);
        }

        Assert.False(Directory.Exists(_dir.Combine("sig", "sigstore", $"k8s-c10f1/pause@sha256={pause.Digest.Hex}")));
        using (var still = await new HttpClient().GetAsync(new Uri(server.RegistryUrl, $"/v2/k8s-c10f1/pause/manifests/{pause.Digest}")))
        {
            Assert.Equal(HttpStatusCode.OK, still.StatusCode);
        }

        // bob keeps his rights, and his signature is checked against his key in the authorization file, not the replaced one.
        using var bobStore = Client(server.SigstoreUrl, "bob", "bob-pw");
        using (var sign = await bobStore.PutAsync(signaturePath, SampleSignature.Content("registry.local/k8s-c10f1/pause:3.9", pause.Digest)))
        {
            Assert.Equal(HttpStatusCode.Created, sign.StatusCode);
        }

        using (var delete = await bob.DeleteAsync($"/v2/k8s-c10f1/pause/manifests/{pause.Digest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }
    }

    [Fact]
    public async Task Start_RefusesAGroupWritableAuthorizationFile()
    {
        var signers = TestSigners.Write(_dir.Combine("etc", "signers.json"), Policy, ("bob", SampleKeys.SignerPublic));
        File.SetUnixFileMode(signers, File.GetUnixFileMode(signers) | UnixFileMode.GroupWrite);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(("U7S_REGISTRY__AUTH__SIGNERS", signers)));

        Assert.Contains($"exited {ExitCodes.Usage}: u7s: Registry:Auth:Signers '{signers}' must be a regular file owned by root", e.Message, StringComparison.Ordinal);
        Assert.Single(e.Message.Split(": u7s: ")[1].TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task Start_RefusesAGroupWritableDirectoryOfTheAuthorizationFile()
    {
        var signers = TestSigners.Write(_dir.Combine("etc", "signers.json"), Policy, ("bob", SampleKeys.SignerPublic));
        File.SetUnixFileMode(_dir.Combine("etc"), (UnixFileMode)Convert.ToInt32("775", 8));

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(("U7S_REGISTRY__AUTH__SIGNERS", signers)));

        Assert.Contains($"exited {ExitCodes.Usage}: u7s: Registry:Auth:Signers '{signers}': directory '{_dir.Combine("etc")}' must be owned by root", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_RightsOnlyInTheServedTree_SaysHowToWriteTheAuthorizationFile()
    {
        Directory.CreateDirectory(_dir.Combine("sig", "keys"));
        await File.WriteAllTextAsync(_dir.Combine("sig", "keys", "policy.json"), Policy);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(("U7S_REGISTRY__AUTH__SIGNERS", _dir.Combine("etc", "signers.json"))));

        Assert.Contains($"exited {ExitCodes.Usage}: u7s: {_dir.Combine("etc", "signers.json")} (Registry:Auth:Signers, u7s serve --signers) does not exist, but the served keys/policy.json names signers", e.Message, StringComparison.Ordinal);
        Assert.Contains("u7s create-imagemakeruser bob@registry.local/k8s-c10f1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_RefusesAConfiguredButMissingHtpasswd()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(("U7S_REGISTRY__AUTH__HTPASSWD", _dir.Combine("absent"))));

        Assert.Contains($"exited {ExitCodes.Usage}: u7s: Registry:Auth:Htpasswd '{_dir.Combine("absent")}' does not exist", e.Message, StringComparison.Ordinal);
    }

    private async Task StartAsync((string Name, string Value) setting)
    {
        await using var server = await U7sProcess.StartAsync(_dir.Combine("data"), _dir.Combine("sig"), new Dictionary<string, string> { [setting.Name] = setting.Value });
    }

    private static HttpClient Client(Uri baseAddress, string user, string password) => new()
    {
        BaseAddress = baseAddress,
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"))) },
    };
}
