using U7s.Oci;
using U7s.Sigstore.Store;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// The whole chain against the real clients: push to U7s with skopeo, sign with
/// <c>u7s sign</c> into the store, pull with skopeo under a signedBy policy through the :81 app
/// (INTEROP §6, §8). Every rejection must be a policy refusal, not a transport error.
/// </summary>
public sealed class SignedPullTests(SignedPullFixture fixture) : IClassFixture<SignedPullFixture>
{
    private const string Refusal = "Source image rejected";

    private Task<CliResult> SignAsync(string reference, string key = "signer@example.test", params string[] extra) =>
        fixture.CliAsync(["sign", reference, "--key", key, "--key-dir", fixture.KeyDir, "--sigstore-root", fixture.SigstoreRoot, .. extra]);

    private string SignatureDirectory(string reference, string digest)
    {
        var r = Reference.Parse(reference);
        return Path.Combine(fixture.SigstoreRoot, "sigstore", SignatureStore.RelativeDirectory(r.Repository, Digest.Parse(digest)));
    }

    private static string DigestFrom(CliResult sign) => sign.Output.Split(' ')[1];

    [RequiresToolFact("skopeo")]
    public async Task Signed_IsPulled_AndResigningWritesNothing()
    {
        var reference = await fixture.PushAsync("ns/good:v1", "good");

        var sign = (await SignAsync(reference)).Ensure();
        var again = (await SignAsync(reference)).Ensure();
        var pull = await fixture.PullAsync(reference);

        Assert.Contains("signature-1 written", sign.Output, StringComparison.Ordinal);
        Assert.Contains("signature-1 already present", again.Output, StringComparison.Ordinal);
        Assert.True(pull.ExitCode == 0, pull.StandardError);
        Assert.Equal(["signature-1"], Directory.GetFiles(SignatureDirectory(reference, DigestFrom(sign))).Select(Path.GetFileName));
    }

    [RequiresToolFact("skopeo")]
    public async Task Unsigned_IsRejected()
    {
        var reference = await fixture.PushAsync("ns/unsigned:v1", "unsigned");

        var pull = await fixture.PullAsync(reference);

        Assert.NotEqual(0, pull.ExitCode);
        Assert.Contains(Refusal, pull.StandardError, StringComparison.Ordinal);
        Assert.Contains("A signature was required, but no signature exists", pull.StandardError, StringComparison.Ordinal);
    }

    [RequiresToolFact("skopeo")]
    public async Task Tampered_IsRejected()
    {
        var reference = await fixture.PushAsync("ns/tampered:v1", "tampered");
        var sign = (await SignAsync(reference)).Ensure();
        var file = Path.Combine(SignatureDirectory(reference, DigestFrom(sign)), "signature-1");
        var blob = await File.ReadAllBytesAsync(file);
        var at = blob.AsSpan().IndexOf("ns/tampered"u8);
        blob[at] = (byte)'m';
        await File.WriteAllBytesAsync(file, blob);

        var pull = await fixture.PullAsync(reference);

        Assert.NotEqual(0, pull.ExitCode);
        Assert.Contains(Refusal, pull.StandardError, StringComparison.Ordinal);
    }

    [RequiresToolFact("skopeo")]
    public async Task SignedByAnotherKey_IsRejected_UntilTrustedKeySignsToo()
    {
        var reference = await fixture.PushAsync("ns/otherkey:v1", "otherkey");
        (await SignAsync(reference, "protected@example.test", "--passphrase-file", fixture.Temp.Combine("pass.txt"))).Ensure();

        var rejected = await fixture.PullAsync(reference);
        var second = (await SignAsync(reference)).Ensure();
        var accepted = await fixture.PullAsync(reference);

        Assert.NotEqual(0, rejected.ExitCode);
        Assert.Contains(Refusal, rejected.StandardError, StringComparison.Ordinal);
        Assert.Contains("signature-2 written", second.Output, StringComparison.Ordinal);
        Assert.True(accepted.ExitCode == 0, accepted.StandardError);
    }

    [RequiresToolFact("skopeo")]
    public async Task SignatureCopiedFromAnotherImage_IsRejected()
    {
        var source = await fixture.PushAsync("ns/source:v1", "source");
        var target = await fixture.PushAsync("ns/target:v1", "target");
        var signedSource = (await SignAsync(source)).Ensure();
        var signedTarget = (await SignAsync(target)).Ensure();
        var targetFile = Path.Combine(SignatureDirectory(target, DigestFrom(signedTarget)), "signature-1");
        File.Copy(Path.Combine(SignatureDirectory(source, DigestFrom(signedSource)), "signature-1"), targetFile, overwrite: true);

        var pull = await fixture.PullAsync(target);

        Assert.NotEqual(0, pull.ExitCode);
        Assert.Contains(Refusal, pull.StandardError, StringComparison.Ordinal);
        Assert.Contains("does not match", pull.StandardError, StringComparison.Ordinal);
    }

    [RequiresToolFact("skopeo")]
    public async Task OtherTagOfSameManifest_IsRejectedUntilSigned()
    {
        var v1 = await fixture.PushAsync("ns/tags:v1", "tags");
        (await SignAsync(v1)).Ensure();
        var v2 = v1[..^2] + "v2";
        (await ExternalProcess.RunAsync("skopeo", ["--policy", fixture.PolicyAnyPath, "copy", "-q", "--src-tls-verify=false", "--dest-tls-verify=false", $"docker://{v1}", $"docker://{v2}"]))
            .EnsureSuccess("skopeo copy (retag)");

        var rejected = await fixture.PullAsync(v2);
        var sign = (await SignAsync(v2)).Ensure();
        var accepted = await fixture.PullAsync(v2);
        var stillV1 = await fixture.PullAsync(v1);

        Assert.NotEqual(0, rejected.ExitCode);
        Assert.Contains($"Signature for identity {v1} is not accepted", rejected.StandardError, StringComparison.Ordinal);
        Assert.Contains("signature-2 written", sign.Output, StringComparison.Ordinal);
        Assert.True(accepted.ExitCode == 0, accepted.StandardError);
        Assert.True(stillV1.ExitCode == 0, stillV1.StandardError);
    }

    [RequiresToolFact("skopeo")]
    public async Task VerifyCommand_ListsSignaturesAndPolicyVerdict()
    {
        var good = await fixture.PushAsync("ns/verify:v1", "verify");
        var bad = await fixture.PushAsync("ns/verify-unsigned:v1", "verify-unsigned");
        var sign = (await SignAsync(good)).Ensure();

        var ok = await fixture.CliAsync("verify", good, "--policy", fixture.PolicyPath, "--sigstore-root", fixture.SigstoreRoot);
        var refused = await fixture.CliAsync("verify", bad, "--policy", fixture.PolicyPath, "--sigstore-root", fixture.SigstoreRoot);

        Assert.Equal(0, ok.ExitCode);
        Assert.Contains($"signature-1\t28728B9DBEF187556BA9281DBE0E68D2EBCA684E\t{good}\t{DigestFrom(sign)}\tok", ok.Output, StringComparison.Ordinal);
        Assert.Contains("policy: accepted", ok.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Refused, refused.ExitCode);
        Assert.Contains("A signature was required, but no signature exists", refused.Output, StringComparison.Ordinal);
    }

    [RequiresToolFact("skopeo")]
    public async Task VerifyCommand_OverHttpLookaside_AsANodeDoes()
    {
        var good = await fixture.PushAsync("ns/verify-http:v1", "verify-http");
        (await SignAsync(good)).Ensure();
        var emptyRoot = fixture.Temp.Combine("node-root");

        var ok = await fixture.CliAsync("verify", good, "--policy", fixture.PolicyPath, "--lookaside", fixture.SigstoreBase + "/sigstore/", "--keyring", fixture.PublishedKey, "--sigstore-root", emptyRoot);
        var down = await fixture.CliAsync("verify", good, "--policy", fixture.PolicyPath, "--lookaside", $"http://127.0.0.1:{FreeTcpPort.Next()}/sigstore/", "--sigstore-root", emptyRoot);

        Assert.True(ok.ExitCode == 0, ok.Output + ok.Error);
        Assert.Contains("\tok", ok.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Unavailable, down.ExitCode);
    }

    [RequiresToolFact("skopeo")]
    public async Task Sign_MissingImageOrUnreachableRegistry_FailsWithOneLine()
    {
        var missing = await SignAsync($"{fixture.RegistryHost}/ns/absent:v1");
        var unreachable = await SignAsync($"127.0.0.1:{FreeTcpPort.Next()}/ns/absent:v1");
        var noTag = await SignAsync($"{fixture.RegistryHost}/ns/absent");

        Assert.Equal(ExitCodes.Refused, missing.ExitCode);
        Assert.Equal(ExitCodes.Unavailable, unreachable.ExitCode);
        Assert.Equal(ExitCodes.Usage, noTag.ExitCode);
        Assert.Single(missing.Error.TrimEnd().Split('\n'));
    }

    [RequiresToolFact("podman", "skopeo")]
    public async Task Podman_PullsSignedImage_RejectsUnsigned()
    {
        var signed = await fixture.PushAsync("ns/podman-signed:v1", "podman-signed");
        var unsigned = await fixture.PushAsync("ns/podman-unsigned:v1", "podman-unsigned");
        (await SignAsync(signed)).Ensure();

        var ok = await fixture.PodmanPullAsync(signed);
        var rejected = await fixture.PodmanPullAsync(unsigned);

        Assert.True(ok.ExitCode == 0, ok.StandardError);
        Assert.NotEqual(0, rejected.ExitCode);
        Assert.Contains(Refusal, rejected.StandardError, StringComparison.Ordinal);
    }

    [RequiresToolFact("gpg", "skopeo")]
    public async Task SkopeoSignByIntoStagingTree_IsVerifiedByU7s_AndU7sAppendsAfterIt()
    {
        // skopeo copy --sign-by writes signature-1 through a file:// lookaside-staging into the same tree.
        using var gpg = new GnuPgHome();
        await gpg.ImportAsync(SampleKeys.PathOf("signer.sec.asc"));
        var layout = fixture.Temp.Combine("layouts", "skopeo-signed");
        TestImageLayout.Write(layout, "img", "skopeo-signed");
        var pushD = fixture.Temp.Combine("rd-push");
        Directory.CreateDirectory(pushD);
        await File.WriteAllTextAsync(Path.Combine(pushD, "test.yaml"),
            $"docker:\n  {fixture.RegistryHost}:\n    lookaside: {fixture.SigstoreBase}/sigstore/\n    lookaside-staging: file://{fixture.SigstoreRoot}/sigstore/\n");
        var v1 = $"{fixture.RegistryHost}/ns/skopeo-signed:v1";
        (await ExternalProcess.RunAsync(
            "skopeo",
            ["--policy", fixture.PolicyAnyPath, "--registries.d", pushD, "copy", "-q", "--dest-tls-verify=false", "--sign-by", SampleKeys.SignerEmail, $"oci:{layout}:img", $"docker://{v1}"],
            gpg.Environment)).EnsureSuccess("skopeo copy --sign-by");
        var v2 = v1[..^2] + "v2";
        (await ExternalProcess.RunAsync("skopeo", ["--policy", fixture.PolicyAnyPath, "copy", "-q", "--src-tls-verify=false", "--dest-tls-verify=false", $"docker://{v1}", $"docker://{v2}"]))
            .EnsureSuccess("skopeo copy (retag)");

        var verify = await fixture.CliAsync("verify", v1, "--policy", fixture.PolicyPath, "--sigstore-root", fixture.SigstoreRoot);
        var sign = (await SignAsync(v2)).Ensure();
        var pull = await fixture.PullAsync(v2);

        Assert.True(verify.ExitCode == 0, verify.Output + verify.Error);
        Assert.Contains($"signature-1\t{SampleKeys.SignerFingerprint}\t{v1}", verify.Output, StringComparison.Ordinal);
        Assert.Contains("signature-2 written", sign.Output, StringComparison.Ordinal);
        Assert.True(pull.ExitCode == 0, pull.StandardError);
    }

    [RequiresToolFact("skopeo")]
    public async Task MultiArch_IndexAndEveryInstanceAreSigned_EachPlatformPulls()
    {
        var reference = await fixture.PushAsync("ns/multi:v1", "multi", multiArch: true);

        var sign = (await SignAsync(reference)).Ensure();
        var amd64 = await fixture.PullAsync(reference, "amd64");
        var arm64 = await fixture.PullAsync(reference, "arm64");

        var lines = sign.Output.TrimEnd().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.Contains("signature-1 written", l, StringComparison.Ordinal));
        Assert.True(amd64.ExitCode == 0, amd64.StandardError);
        Assert.True(arm64.ExitCode == 0, arm64.StandardError);

        // Without the arm64 instance's signature that platform is refused, amd64 still pulls.
        var arm64Digest = lines[2].Split(' ')[1];
        File.Delete(Path.Combine(SignatureDirectory(reference, arm64Digest), "signature-1"));
        var arm64Unsigned = await fixture.PullAsync(reference, "arm64");
        Assert.NotEqual(0, arm64Unsigned.ExitCode);
        Assert.Contains(Refusal, arm64Unsigned.StandardError, StringComparison.Ordinal);
        Assert.Equal(0, (await fixture.PullAsync(reference, "amd64")).ExitCode);
    }
}
