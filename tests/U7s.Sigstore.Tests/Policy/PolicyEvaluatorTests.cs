using System.Text;
using U7s.Oci;
using U7s.Oci.Policy;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Policy;
using U7s.Sigstore.Signing;
using U7s.Testing;

namespace U7s.Sigstore.Tests.Policy;

public sealed class PolicyEvaluatorTests : IDisposable
{
    private static readonly Digest Good = Digest.Compute("good manifest"u8);
    private static readonly Digest Other = Digest.Compute("other manifest"u8);
    private readonly TempDirectory _temp = new();
    private readonly BouncyCastleOpenPgp _pgp = new();
    private readonly string _signerKey;
    private readonly string _protectedKey;

    public PolicyEvaluatorTests()
    {
        _signerKey = _temp.Combine("signer.pgp");
        _protectedKey = _temp.Combine("protected.asc");
        File.WriteAllBytes(_signerKey, _pgp.ExportPublicKey(SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, armored: false));
        File.WriteAllBytes(_protectedKey, SampleKeys.ProtectedPublic);
    }

    public void Dispose() => _temp.Dispose();

    private string SignedBy(string keyPath, string? identity = null) =>
        $$"""{"type":"signedBy","keyType":"GPGKeys","keyPath":"{{keyPath}}"{{(identity is null ? "" : ",\"signedIdentity\":" + identity)}}}""";

    private async Task<PolicyVerdict> EvaluateAsync(string policyJson, string reference, Digest digest, params byte[][] signatures)
    {
        var evaluator = new PolicyEvaluator(PolicyParser.Parse(Encoding.UTF8.GetBytes(policyJson)), _pgp, TimeProvider.System);
        return await evaluator.EvaluateAsync(Reference.Parse(reference), digest, signatures, default);
    }

    private string Policy(string scope, params string[] requirements) =>
        "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"" + scope + "\":[" + string.Join(",", requirements) + "]}}}";

    private static byte[] Sign(string identity, Digest digest, bool protectedKey = false) =>
        new BouncyCastleOpenPgp().Sign(
            new SignaturePayload(identity, digest, "test", 1).ToJsonBytes(),
            protectedKey ? SampleKeys.ProtectedSecret : SampleKeys.SignerSecret,
            protectedKey ? SampleKeys.ProtectedFingerprint : SampleKeys.SignerFingerprint,
            protectedKey ? SampleKeys.ProtectedPassphrase : null,
            SignatureHash.Sha256,
            DateTimeOffset.UtcNow);

    [Fact]
    public async Task SignedByTrustedKey_IsAllowed()
    {
        var verdict = await EvaluateAsync(Policy("registry.local", SignedBy(_signerKey)), "registry.local/ns/app:v1", Good, Sign("registry.local/ns/app:v1", Good));

        Assert.True(verdict.IsAllowed, verdict.ToString());
        Assert.Equal("registry.local", verdict.Scope);
    }

    [Fact]
    public async Task NoSignature_IsRejectedWith523Text()
    {
        var verdict = await EvaluateAsync(Policy("registry.local", SignedBy(_signerKey)), "registry.local/ns/app:v1", Good);

        Assert.False(verdict.IsAllowed);
        Assert.Equal(["A signature was required, but no signature exists"], verdict.Reasons);
    }

    [Fact]
    public async Task WrongKeyDigestIdentity_AreRejectedWithReasons()
    {
        var policy = Policy("registry.local", SignedBy(_signerKey));

        var wrongKey = await EvaluateAsync(policy, "registry.local/ns/app:v1", Good, Sign("registry.local/ns/app:v1", Good, protectedKey: true));
        var wrongDigest = await EvaluateAsync(policy, "registry.local/ns/app:v1", Good, Sign("registry.local/ns/app:v1", Other));
        var wrongIdentity = await EvaluateAsync(policy, "registry.local/ns/app:v2", Good, Sign("registry.local/ns/app:v1", Good));

        Assert.Contains("no public key", Assert.Single(wrongKey.Reasons), StringComparison.Ordinal);
        Assert.Equal([$"Signature for digest {Other} does not match"], wrongDigest.Reasons);
        Assert.Equal(["Signature for identity registry.local/ns/app:v1 is not accepted"], wrongIdentity.Reasons);
    }

    [Fact]
    public async Task SecondSignatureGood_IsAllowed_AllBad_ListsEveryReason()
    {
        var policy = Policy("registry.local", SignedBy(_signerKey));
        var bad = Sign("registry.local/ns/app:v1", Good, protectedKey: true);

        var allowed = await EvaluateAsync(policy, "registry.local/ns/app:v1", Good, bad, Sign("registry.local/ns/app:v1", Good));
        var rejected = await EvaluateAsync(policy, "registry.local/ns/app:v1", Good, bad, Sign("registry.local/ns/app:v1", Other));

        Assert.True(allowed.IsAllowed);
        Assert.StartsWith("None of the signatures were accepted, reasons: ", Assert.Single(rejected.Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyPathsAndKeyData_AreOr()
    {
        var keyPaths = $$"""{"type":"signedBy","keyType":"GPGKeys","keyPaths":["{{_signerKey}}","{{_protectedKey}}"]}""";
        var keyData = $$"""{"type":"signedBy","keyType":"GPGKeys","keyData":"{{Convert.ToBase64String(File.ReadAllBytes(_signerKey))}}"}""";
        var byProtected = Sign("registry.local/ns/app:v1", Good, protectedKey: true);

        Assert.True((await EvaluateAsync(Policy("registry.local", keyPaths), "registry.local/ns/app:v1", Good, byProtected)).IsAllowed);
        Assert.True((await EvaluateAsync(Policy("registry.local", keyData), "registry.local/ns/app:v1", Good, Sign("registry.local/ns/app:v1", Good))).IsAllowed);
        Assert.False((await EvaluateAsync(Policy("registry.local", keyData), "registry.local/ns/app:v1", Good, byProtected)).IsAllowed);
    }

    [Fact]
    public async Task TwoSignedByRequirements_AreAnd()
    {
        var policy = Policy("registry.local", SignedBy(_signerKey), SignedBy(_protectedKey));
        var a = Sign("registry.local/ns/app:v1", Good);
        var b = Sign("registry.local/ns/app:v1", Good, protectedKey: true);

        var one = await EvaluateAsync(policy, "registry.local/ns/app:v1", Good, a);
        var both = await EvaluateAsync(policy, "registry.local/ns/app:v1", Good, a, b);

        Assert.False(one.IsAllowed);
        Assert.Single(one.Reasons);
        Assert.True(both.IsAllowed);
    }

    [Fact]
    public async Task DefaultReject_AndMoreSpecificInsecureScope()
    {
        var policy = "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"registry.local\":[" + SignedBy(_signerKey)
            + "],\"registry.local/ns/unsigned\":[{\"type\":\"insecureAcceptAnything\"}]}}}";

        var unsigned = await EvaluateAsync(policy, "registry.local/ns/unsigned:v1", Good);
        var elsewhere = await EvaluateAsync(policy, "registry.local:5000/ns/app:v1", Good, Sign("registry.local:5000/ns/app:v1", Good));

        Assert.True(unsigned.IsAllowed);
        Assert.False(elsewhere.IsAllowed);
        Assert.Equal("default", elsewhere.Scope);
        Assert.Equal(["Running image docker://registry.local:5000/ns/app:v1 is rejected by policy."], elsewhere.Reasons);
    }

    [Fact]
    public async Task PullByDigest_DefaultAcceptsTagSignature_MatchExactDoesNot()
    {
        var signature = Sign("registry.local/ns/app:v1", Good);
        var byDigest = "registry.local/ns/app@" + Good;

        Assert.True((await EvaluateAsync(Policy("registry.local", SignedBy(_signerKey)), byDigest, Good, signature)).IsAllowed);
        Assert.False((await EvaluateAsync(Policy("registry.local", SignedBy(_signerKey, """{"type":"matchExact"}""")), byDigest, Good, signature)).IsAllowed);
    }

    [Fact]
    public async Task MirrorIdentity_RemapAndExactReference()
    {
        var signature = Sign("registry.local/ns/elsewhere:v1", Good);

        var remap = await EvaluateAsync(Policy("mirror.local", SignedBy(_signerKey, """{"type":"remapIdentity","prefix":"mirror.local/m","signedPrefix":"registry.local/ns"}""")), "mirror.local/m/elsewhere:v1", Good, signature);
        var exact = await EvaluateAsync(Policy("mirror.local", SignedBy(_signerKey, """{"type":"exactReference","dockerReference":"registry.local/ns/elsewhere:v1"}""")), "mirror.local/m/x:v9", Good, signature);

        Assert.True(remap.IsAllowed, remap.ToString());
        Assert.True(exact.IsAllowed, exact.ToString());
    }

    [Fact]
    public async Task MissingKeyFile_AndUnsupportedTypes_AreReasonsNotExceptions()
    {
        var missing = await EvaluateAsync(Policy("registry.local", SignedBy(_temp.Combine("absent.pgp"))), "registry.local/a:1", Good, Sign("registry.local/a:1", Good));
        var x509 = await EvaluateAsync(Policy("registry.local", """{"type":"signedBy","keyType":"X509Certificates","keyPath":"/x"}"""), "registry.local/a:1", Good);
        var baseLayer = await EvaluateAsync(Policy("registry.local", """{"type":"signedBaseLayer","baseLayerIdentity":{"type":"matchExact"}}"""), "registry.local/a:1", Good);

        Assert.Contains("cannot read the signedBy keys", Assert.Single(missing.Reasons), StringComparison.Ordinal);
        Assert.False(x509.IsAllowed);
        Assert.False(baseLayer.IsAllowed);
    }

    [Fact]
    public async Task UnreadableKeyring_IsLeftOut_OthersStillTrusted()
    {
        var garbage = _temp.Combine("garbage.asc");
        await File.WriteAllTextAsync(garbage, "not a key");
        var both = $$"""{"type":"signedBy","keyType":"GPGKeys","keyPaths":["{{garbage}}","{{_signerKey}}"]}""";
        var signature = Sign("registry.local/a:1", Good);

        var allowed = await EvaluateAsync(Policy("registry.local", both), "registry.local/a:1", Good, signature);
        var onlyGarbage = await EvaluateAsync(Policy("registry.local", SignedBy(garbage)), "registry.local/a:1", Good, signature);

        Assert.True(allowed.IsAllowed, allowed.ToString());
        Assert.Contains("cannot read the signedBy keys", Assert.Single(onlyGarbage.Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_BadFile_Throws()
    {
        var path = _temp.Combine("policy.json");
        await File.WriteAllTextAsync(path, """{"default":[{"type":"reject"}],"default":[]}""");

        await Assert.ThrowsAsync<PolicyException>(() => PolicyEvaluator.LoadAsync(path, _pgp, TimeProvider.System, default));
        await Assert.ThrowsAsync<PolicyException>(() => PolicyEvaluator.LoadAsync(_temp.Combine("none.json"), _pgp, TimeProvider.System, default));
    }

    [Theory]
    [InlineData("trusted", null)]
    [InlineData("other-key", "the signedBy keys of scope registry.local do not include the signer's key 28728B9DBEF187556BA9281DBE0E68D2EBCA684E")]
    [InlineData("missing-key", "cannot read the signedBy keys: ")]
    [InlineData("identity", "the signedIdentity of scope registry.local does not accept the identity registry.local/ns/app:v1 that is signed")]
    [InlineData("reject", "the policy rejects every image in scope default")]
    [InlineData("insecure", null)]
    public async Task SignerProblem_NamesWhatASignatureByTheKeyCouldNotFix(string policy, string? expected)
    {
        var json = policy switch
        {
            "trusted" => Policy("registry.local", SignedBy(_signerKey)),
            "other-key" => Policy("registry.local", SignedBy(_protectedKey)),
            "missing-key" => Policy("registry.local", SignedBy(_temp.Combine("none.pgp"))),
            "identity" => Policy("registry.local", SignedBy(_signerKey, """{"type":"exactReference","dockerReference":"registry.local/ns/other:v1"}""")),
            "reject" => """{"default":[{"type":"reject"}]}""",
            _ => """{"default":[{"type":"insecureAcceptAnything"}]}""",
        };
        var evaluator = new PolicyEvaluator(PolicyParser.Parse(Encoding.UTF8.GetBytes(json)), _pgp, TimeProvider.System);

        var problem = await evaluator.SignerProblemOrNullAsync(Reference.Parse("registry.local/ns/app:v1"), SampleKeys.SignerFingerprint, default);

        if (expected is null)
        {
            Assert.Null(problem);
        }
        else
        {
            Assert.NotNull(problem);
            Assert.StartsWith(expected, problem, StringComparison.Ordinal);
        }
    }
}
