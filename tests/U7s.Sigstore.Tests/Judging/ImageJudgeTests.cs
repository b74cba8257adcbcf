using System.Text;
using U7s.Oci;
using U7s.Oci.Policy;
using U7s.Sigstore.Judging;
using U7s.Sigstore.Keys;
using U7s.Sigstore.Manifests;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Policy;
using U7s.Sigstore.Signing;
using U7s.Sigstore.Store;
using U7s.Testing.Signing;

namespace U7s.Sigstore.Tests.Judging;

/// <summary>
/// The one judge on real images: OCI layouts pushed by skopeo into Debian's docker-registry, served manifests read
/// over HTTP as a node reads them, OpenPGP signatures made by the BouncyCastle signer into a lookaside tree, and a
/// node policy trusting only the sample signer for <c>registry.local</c>. Images are named <c>registry.local/…</c>
/// (the test registry is reached through its 127.0.0.1 address) and signed for that identity, as on a node.
/// </summary>
public sealed class ImageJudgeTests(DockerRegistry registry) : IClassFixture<DockerRegistry>, IDisposable
{
    private readonly TempDirectory _work = new("u7s-judge");
    private readonly BouncyCastleOpenPgp _pgp = new();
    private int _images;

    private string LookasideRoot => _work.Combine("lookaside");

    private string PublicKey => _work.Combine("signer.pgp");

    public void Dispose() => _work.Dispose();

    [RequiresToolFact("skopeo", "docker-registry")]
    public async Task SingleManifest_SignedForItsReference_IsAccepted()
    {
        var (reference, digest) = await PushImageAsync("single/signed");
        await SignAsync(reference.ToString(), digest);

        var verdict = await Judge().JudgeAsync(reference, default);

        Assert.True(verdict.IsAccepted, verdict.Reason);
        Assert.Equal(digest, verdict.Digest);
        Assert.Equal("registry.local", verdict.Scope);
        Assert.False(verdict.Unchecked);
    }

    [RequiresToolFact("skopeo", "docker-registry")]
    public async Task SingleManifest_Unsigned_IsRefusedAsContainersImageSaysIt()
    {
        var (reference, digest) = await PushImageAsync("single/unsigned");

        var verdict = await Judge().JudgeAsync(reference, default);

        Assert.False(verdict.IsAccepted);
        Assert.Equal(digest, verdict.Digest);
        Assert.Equal(["A signature was required, but no signature exists"], verdict.Reasons);
    }

    [RequiresToolFact("skopeo", "docker-registry")]
    public async Task SingleManifest_SignedForAnotherIdentity_IsRefusedNamingTheIdentity()
    {
        var (reference, digest) = await PushImageAsync("single/other");
        // In the image's own directory, as a signer of another image could put it there.
        await new SignatureStore(Tree()).AppendAsync(LookasidePath.RepositoryOf(reference), digest, Sign("registry.local/single/another:v1", digest, SampleSigner()), default);

        var verdict = await Judge().JudgeAsync(reference, default);

        Assert.False(verdict.IsAccepted);
        Assert.Equal(["Signature for identity registry.local/single/another:v1 is not accepted"], verdict.Reasons);
    }

    [RequiresToolFact("skopeo", "docker-registry")]
    public async Task SingleManifest_SignedByAKeyThePolicyDoesNotTrust_IsRefused()
    {
        var (reference, digest) = await PushImageAsync("single/stranger");
        await SignAsync(reference.ToString(), digest, stranger: true);

        var verdict = await Judge().JudgeAsync(reference, default);

        Assert.False(verdict.IsAccepted);
        Assert.Contains("no public key", Assert.Single(verdict.Reasons), StringComparison.Ordinal);
    }

    [RequiresToolFact("skopeo", "docker-registry")]
    public async Task Missing_IsAVerdictNotAnError()
    {
        var verdict = await Judge().JudgeAsync(Reference.Parse("registry.local/nothing/here:v1"), default);

        Assert.False(verdict.Exists);
        Assert.False(verdict.IsAccepted);
        Assert.Equal(["the registry has no manifest for registry.local/nothing/here:v1"], verdict.Reasons);
    }

    [RequiresToolFact("skopeo", "docker-registry")]
    public async Task Index_EveryPlatformSigned_IndexItselfUnsigned_IsAccepted()
    {
        var (reference, index, children) = await PushIndexAsync("multi/children-signed");
        foreach (var child in children)
        {
            await SignAsync(reference.ToString(), child);
        }

        var verdict = await Judge().JudgeAsync(reference, default);

        Assert.True(verdict.IsAccepted, verdict.Reason);
        Assert.Equal(index, verdict.Digest);
        Assert.DoesNotContain(Directory.GetFileSystemEntries(LookasideRoot, "*", SearchOption.AllDirectories), p => p.Contains(index.Hex, StringComparison.Ordinal));
    }

    [RequiresToolFact("skopeo", "docker-registry")]
    public async Task Index_OnePlatformUnsigned_IsRefusedNamingThatPlatform()
    {
        var (reference, _, children) = await PushIndexAsync("multi/one-unsigned");
        await SignAsync(reference.ToString(), children[0]);

        var verdict = await Judge().JudgeAsync(reference, default);

        Assert.False(verdict.IsAccepted);
        Assert.Equal([$"instance {children[1]}: A signature was required, but no signature exists"], verdict.Reasons);
    }

    [RequiresToolFact("skopeo", "docker-registry")]
    public async Task Index_SignedItself_PlatformsUnsigned_IsRefused_ASignatureOnTheWrongLevel()
    {
        var (reference, index, children) = await PushIndexAsync("multi/index-signed");
        await SignAsync(reference.ToString(), index);

        var verdict = await Judge().JudgeAsync(reference, default);

        Assert.False(verdict.IsAccepted);
        Assert.Equal(index, verdict.Digest);
        Assert.Equal(children.Select(c => $"instance {c}: A signature was required, but no signature exists"), verdict.Reasons);
    }

    [RequiresToolFact("skopeo", "docker-registry")]
    public async Task Index_PlatformSignaturesStoredUnderTheIndexDigest_AreNotTheirs()
    {
        var (reference, index, children) = await PushIndexAsync("multi/misfiled");
        var store = new SignatureStore(Tree());
        foreach (var child in children)
        {
            // A valid signature of the platform manifest, filed in the index's directory.
            var signature = Sign(reference.ToString(), child, SampleSigner());
            await store.AppendAsync(LookasidePath.RepositoryOf(reference), index, signature, default);
        }

        var verdict = await Judge().JudgeAsync(reference, default);

        Assert.False(verdict.IsAccepted);
        Assert.Equal(children.Select(c => $"instance {c}: A signature was required, but no signature exists"), verdict.Reasons);
    }

    [RequiresToolFact("skopeo", "docker-registry")]
    public async Task Index_PlatformSignedForTheIndexDigest_IsRefusedAsADigestMismatch()
    {
        var (reference, index, children) = await PushIndexAsync("multi/wrong-digest");
        var store = new SignatureStore(Tree());
        foreach (var child in children)
        {
            // Filed under the platform manifest, but the payload claims the index: not a signature of the platform.
            await store.AppendAsync(LookasidePath.RepositoryOf(reference), child, Sign(reference.ToString(), index, SampleSigner()), default);
        }

        var verdict = await Judge().JudgeAsync(reference, default);

        Assert.False(verdict.IsAccepted);
        Assert.Equal(children.Select(c => $"instance {c}: Signature for digest {index} does not match"), verdict.Reasons);
    }

    [RequiresToolFact("skopeo", "docker-registry")]
    public async Task Index_ByDigest_JudgesThePlatformsWithTheDigestReference()
    {
        var (tagged, index, children) = await PushIndexAsync("multi/by-digest");
        var byDigest = Reference.Parse($"registry.local/multi/by-digest@{index}");
        foreach (var child in children)
        {
            await SignAsync(tagged.ToString(), child);
        }

        // The default signedIdentity (matchRepoDigestOrExact) takes a signature for any tag of the repository when pulled by digest.
        var verdict = await Judge().JudgeAsync(byDigest, default);

        Assert.True(verdict.IsAccepted, verdict.Reason);
        Assert.Equal(index, verdict.Digest);
    }

    [RequiresToolFact("skopeo", "docker-registry")]
    public async Task UnreadableSignatureOnOnePlatform_FailsThatPlatformWhateverTheOthersSay()
    {
        var (reference, _, children) = await PushIndexAsync("multi/oversized");
        foreach (var child in children)
        {
            await SignAsync(reference.ToString(), child);
        }

        // A second signature over 4 MiB, which containers/image refuses to read: the pull fails, though signature-1 is good.
        var directory = Path.Combine(LookasideRoot, SignatureStore.TreeDirectory, SignatureStore.RelativeDirectory(LookasidePath.RepositoryOf(reference), children[1]));
        await File.WriteAllBytesAsync(Path.Combine(directory, "signature-2"), new byte[SignatureStore.MaxSignatureBytes + 1]);

        var verdict = await Judge().JudgeAsync(reference, default);

        Assert.False(verdict.IsAccepted);
        Assert.Equal([$"instance {children[1]}: reading signature-2: larger than 4 MiB, which containers/image refuses to read"], verdict.Reasons);
    }

    [RequiresToolFact("skopeo", "docker-registry")]
    public async Task RegistryUnreachable_Throws_NotAVerdict()
    {
        using var http = new HttpClient();
        var closed = new Uri($"http://127.0.0.1:{FreeTcpPort.Next()}/");
        var judge = new ImageJudge(new ImageEvidenceReader(new HttpManifestSource(http, closed), Signatures()), Evaluator());

        var e = await Assert.ThrowsAsync<ImageJudgeException>(() => judge.JudgeAsync(Reference.Parse("registry.local/single/any:v1"), default));

        Assert.Null(e.Manifest);
        Assert.Contains($"cannot reach {closed}", e.Message, StringComparison.Ordinal);
    }

    /// <summary>skopeo 1.9.3 under the same policy (remapped onto the test registry) decides these cases the same way.</summary>
    [RequiresToolFact("skopeo", "docker-registry", "gpg")]
    public async Task SameVerdictsAsSkopeo_ForSignedPlatforms_ASignedIndexAndMisfiledSignatures()
    {
        var (good, _, goodChildren) = await PushIndexAsync("cross/children-signed");
        foreach (var child in goodChildren)
        {
            await SignAsync(good.ToString(), child);
        }

        var (wrongLevel, wrongIndex, _) = await PushIndexAsync("cross/index-signed");
        await SignAsync(wrongLevel.ToString(), wrongIndex);
        var (single, singleDigest) = await PushImageAsync("cross/single");
        await SignAsync(single.ToString(), singleDigest);
        var (unsigned, _) = await PushImageAsync("cross/unsigned");
        var skopeo = new SkopeoImageJudge(registry.HostPort, PublicKey, LookasideRoot, _work.Path);
        var ours = Judge();

        foreach (var (reference, accepted) in new[] { (good, true), (wrongLevel, false), (single, true), (unsigned, false) })
        {
            var theirs = await skopeo.JudgeAsync(reference, default);
            var mine = await ours.JudgeAsync(reference, default);
            Assert.True(theirs.IsAccepted == accepted, $"skopeo on {reference}: {theirs.Reason}");
            Assert.True(mine.IsAccepted == accepted, $"the judge on {reference}: {mine.Reason}");
        }
    }

    private ImageJudge Judge() =>
        new(new ImageEvidenceReader(new HttpManifestSource(registry.Http, registry.BaseUri), Signatures()), Evaluator());

    private TreeSignatures Signatures() => new(Tree(), LookasideRoot);

    private FileSystemSigstoreTree Tree() => new(Directory.CreateDirectory(LookasideRoot).FullName);

    private PolicyEvaluator Evaluator()
    {
        if (!File.Exists(PublicKey))
        {
            File.WriteAllBytes(PublicKey, _pgp.ExportPublicKey(SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, armored: false));
        }

        var policy = """{"default":[{"type":"reject"}],"transports":{"docker":{"registry.local":[{"type":"signedBy","keyType":"GPGKeys","keyPath":""" + $"\"{PublicKey}\"" + "}]}}}";
        return new PolicyEvaluator(PolicyParser.Parse(Encoding.UTF8.GetBytes(policy)), _pgp, TimeProvider.System);
    }

    private async Task<(Reference Reference, Digest Digest)> PushImageAsync(string repository)
    {
        var layout = NextLayout();
        TestImageLayout.Write(layout, "v1", $"image {repository}\n");
        await PushAsync(layout, repository, all: false);
        var reference = Reference.Parse($"registry.local/{repository}:v1");
        return (reference, (await ServedAsync(reference)).Digest);
    }

    private async Task<(Reference Reference, Digest Index, IReadOnlyList<Digest> Children)> PushIndexAsync(string repository)
    {
        var layout = NextLayout();
        TestImageLayout.WriteMultiArch(layout, "v1", $"image {repository}\n");
        await PushAsync(layout, repository, all: true);
        var reference = Reference.Parse($"registry.local/{repository}:v1");
        var served = await ServedAsync(reference);
        var children = IndexInstances.Of(served);
        Assert.Equal(2, children.Count);
        return (reference, served.Digest, children);
    }

    private async Task<FetchedManifest> ServedAsync(Reference reference) =>
        await new HttpManifestSource(registry.Http, registry.BaseUri).GetManifestOrNullAsync(reference, default)
        ?? throw new InvalidOperationException($"{reference} was not pushed");

    private string NextLayout() => _work.Combine("layouts", (++_images).ToString(System.Globalization.CultureInfo.InvariantCulture));

    private async Task PushAsync(string layout, string repository, bool all)
    {
        var accept = _work.Combine("accept.json");
        await File.WriteAllTextAsync(accept, """{"default":[{"type":"insecureAcceptAnything"}]}""");
        string[] copy = all ? ["copy", "-q", "--all"] : ["copy", "-q"];
        (await ExternalProcess.RunAsync("skopeo", ["--policy", accept, .. copy, "--dest-tls-verify=false", $"oci:{layout}:v1", $"docker://{registry.HostPort}/{repository}:v1"]))
            .EnsureSuccess($"push {repository}");
    }

    private static SignerKey SampleSigner() =>
        new(SampleKeys.SignerFingerprint, SampleKeys.SignerSecret, SampleKeys.SignerPublic, null);

    private static SignerKey StrangerSigner() =>
        new(SampleKeys.ProtectedFingerprint, SampleKeys.ProtectedSecret, SampleKeys.ProtectedPublic, SampleKeys.ProtectedPassphrase);

    private byte[] Sign(string identity, Digest digest, SignerKey key) =>
        _pgp.Sign(new SignaturePayload(identity, digest, "u7s test", DateTimeOffset.UtcNow.ToUnixTimeSeconds()).ToJsonBytes(), key.SecretKey, key.Fingerprint, key.Passphrase, SignatureHash.Sha256, DateTimeOffset.UtcNow);

    /// <summary>Signs <paramref name="identity"/> → <paramref name="digest"/> into the lookaside tree as <c>u7s sign</c> does.</summary>
    private async Task SignAsync(string identity, Digest digest, bool stranger = false)
    {
        var signer = new ImageSigner(_pgp, new SignatureStore(Tree()), TimeProvider.System, "u7s test");
        await signer.SignAsync(Reference.Parse(identity), digest, stranger ? StrangerSigner() : SampleSigner(), default);
    }
}
