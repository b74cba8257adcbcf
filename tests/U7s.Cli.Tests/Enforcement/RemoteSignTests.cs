using System.Net;
using U7s.Cli.Tests.Support;
using U7s.Registry.Access;
using U7s.Testing;

namespace U7s.Cli.Tests.Enforcement;

/// <summary>
/// An imagemaker signing from her own machine against the real server with logins and enforcement on: her login
/// reads the unsigned manifest she signs, the signature goes through :81's write API (which picks the index and
/// checks her rights), and without a login both sign and verify say in one line that enforcement refused.
/// </summary>
public sealed class RemoteSignTests
{
    [Fact]
    public async Task Sign_WithLogin_ReadsTheUnsignedManifest_AndUploadsThroughTheStore_NodesThenPull()
    {
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Enforce, TimeSpan.FromMilliseconds(100));
        var image = await SmallImage.PushAsync(server.Admin, "team/app", "v1");
        var keyDir = server.Dir.Combine("keys");
        Assert.Equal(ExitCodes.Success, (await CommandHarness.RunCliAsync("keys", "import", SampleKeys.PathOf("signer.sec.asc"), "--key-dir", keyDir)).ExitCode);
        using (var denied = await server.GetManifestAsync("team/app", "v1"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        }

        var authFile = server.Dir.Combine("auth.json");
        await File.WriteAllTextAsync(authFile, $"{{\"auths\":{{\"registry.local\":{{\"auth\":\"{Convert.ToBase64String("admin:admin-pw"u8.ToArray())}\"}}}}}}");
        string[] sign = ["sign", "registry.local/team/app:v1", "--key", SampleKeys.SignerEmail, "--key-dir", keyDir, "--registry-url", server.RegistryUrl.ToString(), "--sigstore-url", server.SigstoreUrl.ToString()];

        var signed = await CommandHarness.RunCliAsync([.. sign, "--authfile", authFile]);
        var again = await CommandHarness.RunCliAsync([.. sign, "--authfile", authFile]);

        Assert.True(signed.ExitCode == ExitCodes.Success, signed.Stderr);
        Assert.Contains($"{image.Digest} signature-1 uploaded", signed.Stdout, StringComparison.Ordinal);
        Assert.Contains("signature-1 already present", again.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(server.SigstoreRoot, "sigstore", "team", $"app@sha256={image.Digest.Hex}", "signature-1")));
        await server.WaitForStatusAsync("team/app", "v1", HttpStatusCode.OK, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task SignAndVerify_WithoutALogin_SayInOneLineThatEnforcementRefused_AndNameTheFix()
    {
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Enforce, TimeSpan.FromMilliseconds(100));
        await SmallImage.PushAsync(server.Admin, "team/app", "v1");
        var keyDir = server.Dir.Combine("keys");
        await CommandHarness.RunCliAsync("keys", "import", SampleKeys.PathOf("signer.sec.asc"), "--key-dir", keyDir);
        var empty = server.Dir.Combine("empty.json");
        await File.WriteAllTextAsync(empty, "{}");

        var sign = await CommandHarness.RunCliAsync("sign", "registry.local/team/app:v1", "--key", SampleKeys.SignerEmail, "--key-dir", keyDir, "--registry-url", server.RegistryUrl.ToString(), "--sigstore-url", server.SigstoreUrl.ToString(), "--authfile", empty);
        var verify = await CommandHarness.RunCliAsync("verify", "registry.local/team/app:v1", "--registry-url", server.RegistryUrl.ToString(), "--keyring", SampleKeys.PathOf("signer.pub.asc"), "--authfile", empty);
        var withCreds = await CommandHarness.RunCliAsync("sign", "registry.local/team/app:v1", "--key", SampleKeys.SignerEmail, "--key-dir", keyDir, "--registry-url", server.RegistryUrl.ToString(), "--sigstore-url", server.SigstoreUrl.ToString(), "--creds", "admin:admin-pw");

        foreach (var (code, _, stderr) in new[] { sign, verify })
        {
            Assert.Equal(ExitCodes.Refused, code);
            Assert.Single(stderr.TrimEnd('\n').Split('\n'));
            Assert.Contains("signature enforcement on the registry refused to serve registry.local/team/app:v1", stderr, StringComparison.Ordinal);
            Assert.Contains("--authfile", stderr, StringComparison.Ordinal);
        }

        Assert.True(withCreds.ExitCode == ExitCodes.Success, withCreds.Stderr);
        Assert.Contains("signature-1 uploaded", withCreds.Stdout, StringComparison.Ordinal);
    }
}
