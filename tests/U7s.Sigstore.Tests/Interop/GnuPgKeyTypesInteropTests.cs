using System.Text;
using U7s.Oci;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Signing;
using U7s.Sigstore.Tests.OpenPgp;

namespace U7s.Sigstore.Tests.Interop;

/// <summary>
/// Keys as GnuPG makes them (RSA 3072, RSA 4096, and Ed25519, GnuPG 2.4's default) sign simple-signing
/// payloads in gpg; U7s verifies the signatures. Keys of earlier U7s versions are repaired for gpg.
/// </summary>
public sealed class GnuPgKeyTypesInteropTests(GnuPgKeyTypesInteropTests.Keys keys) : IClassFixture<GnuPgKeyTypesInteropTests.Keys>
{
    private const string Reference = "registry.local/ns/app:v1";
    private static readonly Digest ManifestDigest = Digest.Compute("manifest"u8);
    private readonly BouncyCastleOpenPgp _pgp = new();

    [RequiresToolTheory("gpg")]
    [InlineData("rsa3072", "RsaGeneral", new string[0])]
    [InlineData("rsa4096", "RsaGeneral", new[] { "--digest-algo", "SHA512" })]
    [InlineData("ed25519", OpenPgpKeyInfo.Ed25519, new string[0])]
    [InlineData("ed25519", OpenPgpKeyInfo.Ed25519, new[] { "--compress-algo", "none", "--digest-algo", "SHA256" })]
    public async Task GpgMadeKey_SignatureIsVerifiedByU7s(string algorithm, string expectedAlgorithm, string[] shape)
    {
        var email = $"{algorithm}@example.test";
        var payload = keys.Home.FilePath($"payload-{Guid.NewGuid():N}.json");
        await File.WriteAllBytesAsync(payload, new SignaturePayload(Reference, ManifestDigest, "gpg", 1).ToJsonBytes());
        (await keys.Home.GpgAsync(["-u", email, .. shape, "--output", payload + ".sig", "--sign", payload])).EnsureSuccess("gpg --sign");
        var publicKey = Encoding.ASCII.GetBytes((await keys.Home.GpgAsync("--armor", "--export", email)).EnsureSuccess("gpg --export").StandardOutput);
        var now = DateTimeOffset.UtcNow;

        var info = Assert.Single(_pgp.ReadPublicKeys(publicKey, now));
        var check = new SignatureVerifier(_pgp, TimeProvider.System).Check(
            await File.ReadAllBytesAsync(payload + ".sig"), TrustedKeyring.Load(_pgp, [publicKey], now), ManifestDigest, id => id == Reference, CancellationToken.None);

        Assert.Equal(expectedAlgorithm, info.Algorithm);
        Assert.True(check.IsAccepted, check.Reason);
        Assert.Equal(info.Fingerprint, check.SignerFingerprint);
    }

    /// <summary>User ids are UTF-8 (RFC 4880 §5.11): a Cyrillic name made by gpg reads back as written.</summary>
    [RequiresToolFact("gpg")]
    public async Task GpgMadeKey_CyrillicUserId_ReadsAsUtf8()
    {
        var publicKey = Encoding.ASCII.GetBytes((await keys.Home.GpgAsync("--armor", "--export", "ivan@example.test")).EnsureSuccess("gpg --export").StandardOutput);

        var info = Assert.Single(_pgp.ReadPublicKeys(publicKey, DateTimeOffset.UtcNow));

        Assert.Equal(["Иван Петров <ivan@example.test>"], info.UserIds);
        Assert.Equal(["ivan@example.test"], info.Emails);
    }

    /// <summary>
    /// What gpg writes for the largest payload a check accepts (64 KiB, incompressible), with its largest
    /// key here and each compression, fits the bound past which a signature is refused unread.
    /// </summary>
    [RequiresToolTheory("gpg")]
    [InlineData("zlib")]
    [InlineData("zip")]
    [InlineData("bzip2")]
    [InlineData("none")]
    public async Task GpgSignature_OfTheLargestPayload_FitsTheMessageBound(string compression)
    {
        var payload = keys.Home.FilePath($"large-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(payload, System.Security.Cryptography.RandomNumberGenerator.GetBytes(SignedMessageReader.MaxPayloadBytes));
        (await keys.Home.GpgAsync("-u", "rsa4096@example.test", "--compress-algo", compression, "--output", payload + ".sig", "--sign", payload)).EnsureSuccess("gpg --sign");
        var blob = await File.ReadAllBytesAsync(payload + ".sig");
        var publicKey = Encoding.ASCII.GetBytes((await keys.Home.GpgAsync("--armor", "--export", "rsa4096@example.test")).EnsureSuccess("gpg --export").StandardOutput);

        var result = _pgp.Verify(blob, [publicKey], DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.True(result.IsValid, result.Error);
        Assert.InRange(blob.Length, SignedMessageReader.MaxPayloadBytes, SignedMessageReader.MaxMessageBytes);
    }

    [RequiresToolFact("gpg")]
    public async Task ClearKeyOfEarlierVersions_FailsInGpg_UntilExportedByU7s()
    {
        using var gpg = new GnuPgHome();
        var broken = BouncyCastleOpenPgpTests.ClearKeyWithSha1Check();
        var fingerprint = Assert.Single(_pgp.ReadSecretKeys(broken, DateTimeOffset.UtcNow)).Fingerprint;
        var brokenFile = gpg.FilePath("broken.gpg");
        var repairedFile = gpg.FilePath("repaired.asc");
        await File.WriteAllBytesAsync(brokenFile, broken);
        await File.WriteAllBytesAsync(repairedFile, _pgp.ExportSecretKey(broken, fingerprint, armored: true));
        var payload = gpg.FilePath("p.json");
        await File.WriteAllTextAsync(payload, "{}");

        await gpg.ImportAsync(brokenFile);
        var before = await gpg.GpgAsync("--yes", "-u", "old-clear@example.test", "--output", payload + ".sig", "--sign", payload);
        (await gpg.GpgAsync("--yes", "--delete-secret-keys", fingerprint)).EnsureSuccess("gpg --delete-secret-keys");
        await gpg.ImportAsync(repairedFile);
        var after = await gpg.GpgAsync("--yes", "-u", "old-clear@example.test", "--output", payload + ".sig", "--sign", payload);

        Assert.NotEqual(0, before.ExitCode);
        Assert.Contains("Checksum error", before.StandardError, StringComparison.Ordinal);
        Assert.True(after.ExitCode == 0, after.StandardError);
    }

    /// <summary>One keyring with the primary-only signing keys (and a Cyrillic-named one), made once per class (RSA 4096 takes gpg a few seconds).</summary>
    public sealed class Keys : IAsyncLifetime, IDisposable
    {
        public GnuPgHome Home { get; } = new();

        public async Task InitializeAsync()
        {
            if (Tool.Find("gpg") is null)
            {
                return;
            }

            foreach (var algorithm in new[] { "rsa3072", "rsa4096", "ed25519" })
            {
                (await Home.GpgAsync("--passphrase", string.Empty, "--quick-gen-key", $"{algorithm} <{algorithm}@example.test>", algorithm, "sign", "never"))
                    .EnsureSuccess("gpg --quick-gen-key " + algorithm);
            }

            (await Home.GpgAsync("--passphrase", string.Empty, "--quick-gen-key", "Иван Петров <ivan@example.test>", "ed25519", "sign", "never"))
                .EnsureSuccess("gpg --quick-gen-key (Cyrillic)");
        }

        public Task DisposeAsync() => Task.CompletedTask;

        public void Dispose() => Home.Dispose();
    }
}
