using System.IO.Compression;
using U7s.Oci;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Signing;
using U7s.Sigstore.Store;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// What <c>u7s sign</c> and <c>u7s verify</c> print and return against the real <c>u7s serve</c>,
/// including hostile files in the tree, and keys U7s generates passing skopeo and podman pulls.
/// </summary>
public sealed class SignVerifyCommandTests(SignedPullFixture fixture) : IClassFixture<SignedPullFixture>
{
    private Task<CliResult> SignAsync(string reference, params string[] extra) =>
        fixture.CliAsync(["sign", reference, "--key", SampleKeys.SignerEmail, "--key-dir", fixture.KeyDir, "--sigstore-root", fixture.SigstoreRoot, .. extra]);

    private Task<CliResult> VerifyAsync(string reference, params string[] extra) =>
        fixture.CliAsync(["verify", reference, "--sigstore-root", fixture.SigstoreRoot, "--trusted-keys", fixture.TrustedKeys, .. extra]);

    /// <summary>The signature directory of <paramref name="reference"/> in the tree, created.</summary>
    private async Task<(string Directory, Digest Digest)> SignatureDirectoryAsync(string reference)
    {
        using var http = new HttpClient();
        var manifest = await new U7s.Sigstore.Manifests.HttpManifestSource(http).GetManifestOrNullAsync(Reference.Parse(reference), CancellationToken.None);
        var directory = Path.Combine(fixture.SigstoreRoot, "sigstore", SignatureStore.RelativeDirectory(Reference.Parse(reference).Repository, manifest!.Digest));
        Directory.CreateDirectory(directory);
        return (directory, manifest.Digest);
    }

    [RequiresToolFact("skopeo")]
    public async Task Verify_NoSignature_SaysWhereItLooked_AndExitsRefused()
    {
        var reference = await fixture.PushAsync("cli/none:v1", "none");
        var (directory, digest) = await SignatureDirectoryAsync(reference);
        var lookaside = fixture.SigstoreBase + "/sigstore/";

        var inTree = await VerifyAsync(reference);
        var overHttp = await VerifyAsync(reference, "--lookaside", lookaside, "--keyring", fixture.PublishedKey);

        Assert.Equal(ExitCodes.Refused, inTree.ExitCode);
        Assert.Equal($"{reference} {digest}: no signature at {directory}/signature-1\n", inTree.Output);
        Assert.Equal(ExitCodes.Refused, overHttp.ExitCode);
        Assert.Equal($"{reference} {digest}: no signature at {lookaside}cli/none@sha256={digest.Hex}/signature-1\n", overHttp.Output);
        Assert.Empty(inTree.Error + overHttp.Error);
    }

    [RequiresToolFact("skopeo")]
    public async Task Verify_FileOver4MiBInTheTree_IsOneLineForThatSignature()
    {
        var reference = await fixture.PushAsync("cli/big:v1", "big");
        (await SignAsync(reference)).Ensure();
        var (directory, _) = await SignatureDirectoryAsync(reference);
        await File.WriteAllBytesAsync(Path.Combine(directory, "signature-2"), new byte[5 * 1024 * 1024]);

        var listing = await VerifyAsync(reference);
        var policy = await VerifyAsync(reference, "--policy", fixture.PolicyPath);

        // One good signature is enough for the listing; a node fails the whole pull on the unreadable one.
        Assert.Equal(0, listing.ExitCode);
        Assert.Contains("signature-2\t-\t-\t-\trejected: larger than 4 MiB, which containers/image refuses to read\n", listing.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Refused, policy.ExitCode);
        Assert.Contains("policy: rejected (scope ", policy.Output, StringComparison.Ordinal);
        Assert.EndsWith("): reading signature-2: larger than 4 MiB, which containers/image refuses to read\n", policy.Output, StringComparison.Ordinal);
        Assert.Empty(listing.Error + policy.Error);
    }

    [RequiresToolFact("skopeo")]
    public async Task Verify_TrustedSignaturesOfHostileContent_AreOneLineRejections()
    {
        var reference = await fixture.PushAsync("cli/hostile:v1", "hostile");
        var (directory, digest) = await SignatureDirectoryAsync(reference);
        var pgp = new BouncyCastleOpenPgp();

        // signature-1: the trusted key signed a payload with an invalid UTF-8 byte in a member name.
        var payload = new SignaturePayload(reference, digest, "u7s test", 1).ToJsonBytes();
        payload[payload.AsSpan().IndexOf("docker-reference"u8)] = 0xFF;
        var invalidUtf8 = pgp.Sign(payload, SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, default, SignatureHash.Sha256, DateTimeOffset.UtcNow);

        // signature-2: a real signature followed by 16 MiB of marker packets, compressed into about 90 KB.
        var good = pgp.Sign(new SignaturePayload(reference, digest).ToJsonBytes(), SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, default, SignatureHash.Sha256, DateTimeOffset.UtcNow);
        var markers = Enumerable.Repeat(new byte[] { 0xA8, 0x03, (byte)'P', (byte)'G', (byte)'P' }, 64 * 1024 / 5).SelectMany(m => m).ToArray();
        using var bomb = new MemoryStream();
        bomb.Write([0xA3, 0x01]);
        using (var deflate = new DeflateStream(bomb, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(good);
            for (var i = 0; i < 256; i++)
            {
                deflate.Write(markers);
            }
        }

        await File.WriteAllBytesAsync(Path.Combine(directory, "signature-1"), invalidUtf8);
        await File.WriteAllBytesAsync(Path.Combine(directory, "signature-2"), bomb.ToArray());

        var verify = await VerifyAsync(reference);

        Assert.True(verify.ExitCode == ExitCodes.Refused, verify.Output + verify.Error);
        var lines = verify.Output.TrimEnd().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal($"signature-1\t{SampleKeys.SignerFingerprint}\t-\t-\trejected: unexpected field \"\uFFFDocker-reference\" in critical.identity", lines[1]);
        Assert.Equal("signature-2\t-\t-\t-\trejected: Invalid GPG signature: more than 16 packets in a signed message", lines[2]);
        Assert.Empty(verify.Error);
    }

    /// <summary>
    /// Any imagemaker can publish a key into the served <c>keys/</c>: a signature by it proves nothing, so without
    /// <c>--policy</c> verify trusts only the node's root-owned keys.
    /// </summary>
    [RequiresToolFact("skopeo")]
    public async Task Verify_SignatureByASelfPublishedKey_IsRejected()
    {
        var reference = await fixture.PushAsync("cli/mallory:v1", "mallory");
        var malloryKeys = fixture.Temp.Combine("mallory-keys");
        (await fixture.CliAsync("keys", "generate", "--name", "Mallory", "--email", "mallory@example.test", "--algorithm", "ed25519", "--no-passphrase",
            "--key-dir", malloryKeys, "--publish", "--sigstore-root", fixture.SigstoreRoot, "--user", "mallory")).Ensure();
        (await fixture.CliAsync("sign", reference, "--key", "mallory@example.test", "--key-dir", malloryKeys, "--sigstore-root", fixture.SigstoreRoot)).Ensure();
        Assert.True(File.Exists(Path.Combine(fixture.SigstoreRoot, "keys", "mallory.pgp")));

        var verify = await VerifyAsync(reference);

        Assert.True(verify.ExitCode == ExitCodes.Refused, verify.Output + verify.Error);
        var line = verify.Output.Split('\n')[1];
        Assert.StartsWith("signature-1\t", line, StringComparison.Ordinal);
        Assert.Contains("\trejected: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("\tok", verify.Output, StringComparison.Ordinal);
    }

    [RequiresToolFact("skopeo")]
    public async Task Verify_TrustedKeysOthersCanChange_RefusedBeforeAnythingIsRead()
    {
        var reference = await fixture.PushAsync("cli/shared-keys:v1", "shared");
        (await SignAsync(reference)).Ensure();
        var shared = fixture.Temp.Combine("shared-keys");
        Directory.CreateDirectory(shared);
        File.Copy(fixture.PublishedKey, Path.Combine(shared, "imagemaker.pgp"));
        File.SetUnixFileMode(shared, (UnixFileMode)Convert.ToInt32("775", 8));

        var verify = await fixture.CliAsync("verify", reference, "--sigstore-root", fixture.SigstoreRoot, "--trusted-keys", shared);
        var missing = await fixture.CliAsync("verify", reference, "--sigstore-root", fixture.SigstoreRoot, "--trusted-keys", fixture.Temp.Combine("absent"));

        Assert.Equal(ExitCodes.Refused, verify.ExitCode);
        Assert.Contains($"directory '{shared}' must be owned by root", verify.Error, StringComparison.Ordinal);
        Assert.Empty(verify.Output);
        Assert.Equal(ExitCodes.Refused, missing.ExitCode);
        Assert.Contains("no trusted keys", missing.Error, StringComparison.Ordinal);
    }

    [RequiresToolFact("skopeo")]
    public async Task Verify_PolicyAcceptingAnything_WarnsThatNothingWasChecked()
    {
        var reference = await fixture.PushAsync("cli/any:v1", "any");

        var verify = await VerifyAsync(reference, "--policy", fixture.PolicyAnyPath);

        Assert.Equal(0, verify.ExitCode);
        Assert.EndsWith("policy: accepted (scope default)\n", verify.Output, StringComparison.Ordinal);
        Assert.Equal("warning: the policy accepts any image in scope default (insecureAcceptAnything); no signature was checked\n", verify.Error);
    }

    [RequiresToolFact("skopeo")]
    public async Task Sign_ForceWithinTheSameSecond_WritesANewSignature()
    {
        var reference = await fixture.PushAsync("cli/force:v1", "force");

        var first = (await SignAsync(reference)).Ensure();
        var forced = await SignAsync(reference, "--force");

        Assert.Contains("signature-1 written", first.Output, StringComparison.Ordinal);
        Assert.True(forced.ExitCode == 0, forced.Error);
        Assert.Contains("signature-2 written", forced.Output, StringComparison.Ordinal);
        var (directory, _) = await SignatureDirectoryAsync(reference);
        Assert.NotEqual(await File.ReadAllBytesAsync(Path.Combine(directory, "signature-1")), await File.ReadAllBytesAsync(Path.Combine(directory, "signature-2")));
    }

    /// <summary>
    /// Keys made by <c>u7s keys generate</c>, RSA by default and Ed25519, sign with <c>u7s sign</c>;
    /// skopeo and podman pull under a policy that trusts only the published key.
    /// </summary>
    [RequiresToolTheory("skopeo", "podman")]
    [InlineData(null)]
    [InlineData("ed25519")]
    public async Task GeneratedKey_UsedByU7sSign_PassesSkopeoAndPodmanPulls(string? algorithm)
    {
        var name = algorithm ?? "default";
        var keyDir = fixture.Temp.Combine("generated-" + name);
        var user = "gen-" + name;
        string[] choice = algorithm is null ? [] : ["--algorithm", algorithm];
        var generate = (await fixture.CliAsync(["keys", "generate", "--name", user, "--email", $"{user}@example.test", .. choice, "--no-passphrase", "--key-dir", keyDir,
            "--publish", "--sigstore-root", fixture.SigstoreRoot, "--user", user])).Ensure();
        var reference = await fixture.PushAsync($"cli/generated-{name}:v1", "generated-" + name);
        (await fixture.CliAsync("sign", reference, "--key", $"{user}@example.test", "--key-dir", keyDir, "--sigstore-root", fixture.SigstoreRoot)).Ensure();
        var policy = fixture.PolicyTrusting(Path.Combine(fixture.SigstoreRoot, "keys", user + ".pgp"));

        var skopeo = await fixture.PullAsync(reference, policy: policy);
        var podman = await fixture.PodmanPullAsync(reference, policy);
        var otherKey = await fixture.PullAsync(reference);

        Assert.Contains(algorithm is null ? " RsaGeneral-4096 " : " Ed25519 ", generate.Output, StringComparison.Ordinal);
        Assert.True(skopeo.ExitCode == 0, skopeo.StandardError);
        Assert.True(podman.ExitCode == 0, podman.StandardError);
        Assert.NotEqual(0, otherKey.ExitCode);
        Assert.Contains("Source image rejected", otherKey.StandardError, StringComparison.Ordinal);
    }
}
