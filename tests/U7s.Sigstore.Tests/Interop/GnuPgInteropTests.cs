using System.Text;
using Org.BouncyCastle.Bcpg.OpenPgp;
using U7s.Oci;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Signing;
using U7s.Sigstore.Tests.OpenPgp;
using U7s.Testing;

namespace U7s.Sigstore.Tests.Interop;

/// <summary>U7s signatures against GnuPG 2.2 and skopeo 1.9.3 in both directions (INTEROP §3, §6, §8).</summary>
public sealed class GnuPgInteropTests(GnuPgFixture fixture) : IClassFixture<GnuPgFixture>
{
    private const string Reference = "registry.local/k8s-c10f1/pause:3.9";
    private static readonly byte[] Manifest = Encoding.UTF8.GetBytes(
        """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}""");

    private readonly BouncyCastleOpenPgp _pgp = new();
    private readonly GnuPgHome _gpg = fixture.Home;

    private static Digest ManifestDigest => Digest.Compute(Manifest);

    private static byte[] PayloadBytes => new SignaturePayload(Reference, ManifestDigest, "test", 1684820605).ToJsonBytes();

    [RequiresToolFact("gpg")]
    public async Task U7sSignature_IsAcceptedByGpgVerifyAndDecrypt()
    {
        var blob = _pgp.Sign(PayloadBytes, SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, default, SignatureHash.Sha256, DateTimeOffset.UtcNow);
        var file = _gpg.FilePath("u7s.sig");
        await File.WriteAllBytesAsync(file, blob);

        var verify = await _gpg.GpgAsync("--status-fd", "1", "--verify", file);
        var decrypt = await _gpg.GpgAsync("--decrypt", file);

        Assert.Equal(0, verify.ExitCode);
        Assert.Contains("VALIDSIG " + SampleKeys.SignerFingerprint, verify.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(Encoding.UTF8.GetString(PayloadBytes), decrypt.StandardOutput);
    }

    [RequiresToolFact("gpg")]
    public async Task U7sSignature_Tampered_IsRejectedByGpg()
    {
        var blob = _pgp.Sign(PayloadBytes, SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, default, SignatureHash.Sha256, DateTimeOffset.UtcNow);
        var at = blob.AsSpan().IndexOf("k8s-c10f1"u8);
        blob[at] = (byte)'K';
        var file = _gpg.FilePath("tampered.sig");
        await File.WriteAllBytesAsync(file, blob);

        var verify = await _gpg.GpgAsync("--status-fd", "1", "--verify", file);

        Assert.NotEqual(0, verify.ExitCode);
        Assert.Contains("BADSIG", verify.StandardOutput, StringComparison.Ordinal);
    }

    private static readonly string[][] AcceptedGpgShapes =
    [
        [],
        ["--compress-algo", "none"],
        ["--digest-algo", "SHA256"],
        ["--digest-algo", "SHA512", "--compress-algo", "zlib"],
        ["--digest-algo", "SHA1"],
    ];

    [RequiresToolFact("gpg")]
    public async Task GpgSignatureShapes_AreAccepted()
    {
        foreach (var extra in AcceptedGpgShapes)
        {
            var blob = await GpgSignAsync(SampleKeys.SignerEmail, [.. extra, "--sign"]);

            var check = Check(blob, SampleKeys.SignerPublic, DateTimeOffset.UtcNow);

            Assert.True(check.IsAccepted, $"{string.Join(' ', extra)}: {check.Reason}");
            Assert.Equal(SampleKeys.SignerFingerprint, check.SignerFingerprint);
            Assert.Equal(Reference, check.Identity);
        }
    }

    [RequiresToolFact("gpg")]
    public async Task GpgSignature_SignatureBeforeLiteral_IsAccepted()
    {
        // The PGP 2.x order: a detached signature packet, then the literal data packet.
        var detached = await GpgSignAsync(SampleKeys.SignerEmail, ["--detach-sign"]);
        using var buffer = new MemoryStream();
        buffer.Write(detached);
        var literal = new PgpLiteralDataGenerator();
        using (var body = literal.Open(buffer, PgpLiteralData.Binary, string.Empty, PayloadBytes.Length, DateTime.UtcNow))
        {
            body.Write(PayloadBytes);
        }

        var check = Check(buffer.ToArray(), SampleKeys.SignerPublic, DateTimeOffset.UtcNow);

        Assert.True(check.IsAccepted, check.Reason);
    }

    [RequiresToolFact("gpg")]
    public async Task GpgSignature_FromProtectedKey_IsAccepted()
    {
        var pass = _gpg.FilePath("pass.txt");
        await File.WriteAllTextAsync(pass, SampleKeys.ProtectedPassphrase);
        var blob = await GpgSignAsync(SampleKeys.ProtectedEmail, ["--passphrase-file", pass, "--sign"]);

        Assert.True(Check(blob, SampleKeys.ProtectedPublic, DateTimeOffset.UtcNow).IsAccepted);
        Assert.Contains("no public key", Check(blob, SampleKeys.SignerPublic, DateTimeOffset.UtcNow).Reason, StringComparison.Ordinal);
    }

    [RequiresToolFact("gpg")]
    public async Task GpgSignature_RejectedShapes_HaveReasons()
    {
        var armored = await GpgSignAsync(SampleKeys.SignerEmail, ["--armor", "--sign"]);
        var clear = await GpgSignAsync(SampleKeys.SignerEmail, ["--clearsign"]);
        var detached = await GpgSignAsync(SampleKeys.SignerEmail, ["--detach-sign"]);
        var two = await GpgSignAsync(SampleKeys.SignerEmail, ["-u", SampleKeys.ProtectedEmail, "--passphrase", SampleKeys.ProtectedPassphrase, "--sign"]);
        var now = DateTimeOffset.UtcNow;

        Assert.Equal("unrecognized signature format", Check(armored, SampleKeys.SignerPublic, now).Reason);
        Assert.Equal("unrecognized signature format", Check(clear, SampleKeys.SignerPublic, now).Reason);
        Assert.Contains("no signed data", Check(detached, SampleKeys.SignerPublic, now).Reason, StringComparison.Ordinal);
        Assert.Equal("Unexpected GPG signature count 2", Check(two, SampleKeys.SignerPublic, now).Reason);
    }

    [RequiresToolFact("gpg")]
    public async Task GpgSignature_Expired_IsRejected()
    {
        var blob = await GpgSignAsync(SampleKeys.SignerEmail, ["--default-sig-expire", "seconds=1", "--sign"]);
        await Task.Delay(TimeSpan.FromSeconds(2));

        var check = Check(blob, SampleKeys.SignerPublic, DateTimeOffset.UtcNow);

        Assert.False(check.IsAccepted);
        Assert.Contains("expired", check.Reason, StringComparison.Ordinal);
    }

    [RequiresToolFact("gpg")]
    public async Task GpgSignature_MadeBySubkey_IsNotAccepted()
    {
        // gpg -u picks the newest signing subkey; 5.23 trusts primary fingerprints only.
        var blob = await GpgSignAsync(SampleKeys.SubkeyEmail, ["--sign"]);

        var check = Check(blob, SampleKeys.SubkeyPublic, DateTimeOffset.UtcNow);

        Assert.False(check.IsAccepted);
        Assert.Equal($"Signature by key {SampleKeys.SubkeyFingerprint} is not accepted", check.Reason);
    }

    [RequiresToolFact("gpg")]
    public async Task GpgSignature_WrongDigestOrIdentity_IsRejectedAfterCrypto()
    {
        var blob = await GpgSignAsync(SampleKeys.SignerEmail, ["--sign"]);
        var verifier = new SignatureVerifier(_pgp, TimeProvider.System);
        var trusted = TrustedKeyring.Load(_pgp, [SampleKeys.SignerPublic], DateTimeOffset.UtcNow);
        var other = Digest.Compute("other"u8);

        var wrongDigest = verifier.Check(blob, trusted, other, _ => true, default);
        var wrongIdentity = verifier.Check(blob, trusted, ManifestDigest, id => id == "registry.local/k8s-c10f1/pause:3.9b", default);

        Assert.Equal($"Signature for digest {ManifestDigest} does not match", wrongDigest.Reason);
        Assert.Equal($"Signature for identity {Reference} is not accepted", wrongIdentity.Reason);
    }

    [RequiresToolFact("gpg", "skopeo")]
    public async Task U7sSignature_IsAcceptedBySkopeoStandaloneVerify()
    {
        var manifest = _gpg.FilePath("manifest.json");
        var sig = _gpg.FilePath("standalone-u7s.sig");
        await File.WriteAllBytesAsync(manifest, Manifest);
        await File.WriteAllBytesAsync(sig, _pgp.Sign(PayloadBytes, SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, default, SignatureHash.Sha256, DateTimeOffset.UtcNow));

        var ok = await ExternalProcess.RunAsync("skopeo", ["standalone-verify", manifest, Reference, SampleKeys.SignerFingerprint, sig], _gpg.Environment);
        var wrongRef = await ExternalProcess.RunAsync("skopeo", ["standalone-verify", manifest, Reference + "b", SampleKeys.SignerFingerprint, sig], _gpg.Environment);

        Assert.True(ok.ExitCode == 0, ok.StandardError);
        Assert.Contains("Signature verified", ok.StandardOutput, StringComparison.Ordinal);
        Assert.NotEqual(0, wrongRef.ExitCode);
    }

    [RequiresToolFact("gpg", "skopeo")]
    public async Task SkopeoStandaloneSign_IsAcceptedByU7s()
    {
        var manifest = _gpg.FilePath("manifest-sign.json");
        var sig = _gpg.FilePath("standalone-skopeo.sig");
        await File.WriteAllBytesAsync(manifest, Manifest);

        (await ExternalProcess.RunAsync("skopeo", ["standalone-sign", manifest, Reference, SampleKeys.SignerFingerprint, "-o", sig], _gpg.Environment))
            .EnsureSuccess("skopeo standalone-sign");

        var check = Check(await File.ReadAllBytesAsync(sig), SampleKeys.SignerPublic, DateTimeOffset.UtcNow);
        Assert.True(check.IsAccepted, check.Reason);
        Assert.Equal(ManifestDigest, check.ManifestDigest);
        Assert.StartsWith("atomic ", check.Payload!.Creator, StringComparison.Ordinal);
    }

    private SignatureCheck Check(byte[] blob, byte[] publicKey, DateTimeOffset now)
    {
        var verifier = new SignatureVerifier(_pgp, new FixedTime(now));
        return verifier.Check(blob, TrustedKeyring.Load(_pgp, [publicKey], now), ManifestDigest, id => id == Reference, default);
    }

    private async Task<byte[]> GpgSignAsync(string user, string[] arguments)
    {
        var input = _gpg.FilePath($"payload-{Guid.NewGuid():N}.json");
        var output = input + ".sig";
        await File.WriteAllBytesAsync(input, PayloadBytes);
        (await _gpg.GpgAsync(["--yes", "-u", user, "--output", output, .. arguments, input])).EnsureSuccess("gpg sign");
        return await File.ReadAllBytesAsync(output);
    }

    [RequiresToolFact("gpg")]
    public async Task GpgSignature_RewrittenPacketShapes_AreAccepted()
    {
        var compressed = await GpgSignAsync(SampleKeys.SignerEmail, ["--sign"]);
        var packets = PacketRewriter.Decompress(compressed);
        var signatureFirst = packets.Where(p => p.Tag == 2).Concat(packets.Where(p => p.Tag == 11)).ToList();
        var now = DateTimeOffset.UtcNow;

        var plainOld = PacketRewriter.Emit(packets, newFormat: false);
        var plainNew = PacketRewriter.Emit(packets, newFormat: true);
        var newSignatureFirst = PacketRewriter.Emit(signatureFirst, newFormat: true);

        Assert.Equal(0xA3, compressed[0]);
        Assert.Equal(0x92, plainOld[0]);
        Assert.Equal(0xC4, plainNew[0]);
        Assert.Equal(0xC2, newSignatureFirst[0]);
        Assert.True(Check(plainOld, SampleKeys.SignerPublic, now).IsAccepted);
        Assert.True(Check(plainNew, SampleKeys.SignerPublic, now).IsAccepted);
        Assert.True(Check(newSignatureFirst, SampleKeys.SignerPublic, now).IsAccepted);
    }

    [RequiresToolFact("gpg")]
    public async Task RevokedKey_IsRejected_ForVerifyAndAsSigner()
    {
        using var gpg = new GnuPgHome();
        var batch = gpg.FilePath("key.batch");
        await File.WriteAllTextAsync(batch, "Key-Type: RSA\nKey-Length: 2048\nKey-Usage: sign\nName-Real: Revoked\nName-Email: revoked@example.test\nExpire-Date: 0\n%no-protection\n%commit\n");
        (await gpg.GpgAsync("--gen-key", batch)).EnsureSuccess("gpg --gen-key");
        var payload = gpg.FilePath("payload.json");
        await File.WriteAllBytesAsync(payload, PayloadBytes);
        (await gpg.GpgAsync("-u", "revoked@example.test", "--output", payload + ".sig", "--sign", payload)).EnsureSuccess("gpg --sign");
        var secretBefore = gpg.FilePath("secret.asc");
        (await gpg.GpgAsync("--armor", "--output", secretBefore, "--export-secret-keys", "revoked@example.test")).EnsureSuccess("export secret");
        var publicBefore = (await gpg.GpgAsync("--armor", "--export", "revoked@example.test")).StandardOutput;

        // gpg writes a revocation certificate at key creation, defused by a leading ':'.
        var certificate = Directory.GetFiles(Path.Combine(gpg.Path, "openpgp-revocs.d"), "*.rev").Single();
        var revocation = gpg.FilePath("revoke.asc");
        await File.WriteAllTextAsync(revocation, (await File.ReadAllTextAsync(certificate)).Replace(":-----BEGIN", "-----BEGIN", StringComparison.Ordinal));
        await gpg.ImportAsync(revocation);
        var publicAfter = (await gpg.GpgAsync("--armor", "--export", "revoked@example.test")).StandardOutput;
        var blob = await File.ReadAllBytesAsync(payload + ".sig");
        var now = DateTimeOffset.UtcNow;

        Assert.True(Check(blob, Encoding.ASCII.GetBytes(publicBefore), now).IsAccepted);
        var revoked = Check(blob, Encoding.ASCII.GetBytes(publicAfter), now);
        Assert.False(revoked.IsAccepted);
        Assert.Contains("revoked", revoked.Reason, StringComparison.Ordinal);
        var info = Assert.Single(_pgp.ReadPublicKeys(Encoding.ASCII.GetBytes(publicAfter), now));
        Assert.True(info.IsRevoked);
        Assert.Equal("key " + info.Fingerprint + " is revoked", U7s.Sigstore.Keys.SignerKeyStore.ProblemWith(info));
    }

    [RequiresToolFact("gpg")]
    public async Task KeyringWithEd25519Key_ReadsItBesideTheRsaKeys()
    {
        // BouncyCastle.Cryptography reads GnuPG's default Ed25519 keys; a mixed keyring lists both and still trusts the RSA key.
        using var gpg = new GnuPgHome();
        (await gpg.GpgAsync("--passphrase", "", "--quick-gen-key", "Ed <ed@example.test>", "ed25519", "sign", "never")).EnsureSuccess("gpg --quick-gen-key ed25519");
        var ed = gpg.FilePath("ed.gpg");
        (await gpg.GpgAsync("--output", ed, "--export", "ed@example.test")).EnsureSuccess("gpg --export");
        var signerBinary = _pgp.ExportPublicKey(SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, armored: false);
        var edBytes = await File.ReadAllBytesAsync(ed);
        var mixed = edBytes.Concat(signerBinary).ToArray();
        var now = DateTimeOffset.UtcNow;

        var keys = _pgp.ReadPublicKeys(mixed, now);
        var check = Check(_pgp.Sign(PayloadBytes, SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, default, SignatureHash.Sha256, now), mixed, now);

        var edKey = Assert.Single(_pgp.ReadPublicKeys(edBytes, now));
        Assert.Equal(new[] { edKey.Fingerprint, SampleKeys.SignerFingerprint }.Order(StringComparer.Ordinal), keys.Select(k => k.Fingerprint).Order(StringComparer.Ordinal));
        Assert.NotEqual(SampleKeys.SignerFingerprint, edKey.Fingerprint);
        Assert.True(check.IsAccepted, check.Reason);
    }
}
