using U7s.Oci;
using U7s.Sigstore.Keys;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Signing;
using U7s.Sigstore.Store;
using U7s.Testing;

namespace U7s.Sigstore.Tests.Signing;

public sealed class ImageSignerTests : IDisposable
{
    private static readonly Digest ManifestDigest = Digest.Compute("{}"u8);
    private readonly TempDirectory _temp = new();
    private readonly BouncyCastleOpenPgp _pgp = new();
    private readonly SignatureStore _store;
    private readonly ImageSigner _signer;

    public ImageSignerTests()
    {
        _store = new SignatureStore(new FileSystemSigstoreTree(_temp.Path));
        _signer = new ImageSigner(_pgp, _store, TimeProvider.System, "u7s test");
    }

    public void Dispose() => _temp.Dispose();

    private static SignerKey Signer => new(SampleKeys.SignerFingerprint, SampleKeys.SignerSecret, SampleKeys.SignerPublic, null);

    private static SignerKey Protected => new(SampleKeys.ProtectedFingerprint, SampleKeys.ProtectedSecret, SampleKeys.ProtectedPublic, SampleKeys.ProtectedPassphrase);

    [Fact]
    public async Task SignAsync_StoresVerifiableSignatureUnderRepositoryPath()
    {
        var reference = Reference.Parse("registry.local/k8s-c10f1/pause:3.9");

        var outcome = await _signer.SignAsync(reference, ManifestDigest, Signer, default);

        Assert.Equal(new SignOutcome(1, true, "registry.local/k8s-c10f1/pause:3.9", SampleKeys.SignerFingerprint), outcome);
        var file = Path.Combine(_temp.Path, SignatureStore.TreePath(RepositoryName.Parse("k8s-c10f1/pause"), ManifestDigest, 1));
        var check = new SignatureVerifier(_pgp, TimeProvider.System).Check(
            await File.ReadAllBytesAsync(file), TrustedKeyring.Load(_pgp, [SampleKeys.SignerPublic], DateTimeOffset.UtcNow), ManifestDigest, id => id == reference.ToString(), default);
        Assert.True(check.IsAccepted, check.Reason);
        Assert.Equal("u7s test", check.Payload!.Creator);
    }

    [Fact]
    public async Task SignAsync_SameKeySameIdentity_IsDeduplicated_OtherTagOrKeyAppends()
    {
        var v1 = Reference.Parse("registry.local/ns/app:v1");
        var v2 = Reference.Parse("registry.local/ns/app:v2");

        var first = await _signer.SignAsync(v1, ManifestDigest, Signer, default);
        var again = await _signer.SignAsync(v1, ManifestDigest, Signer, default);
        var otherTag = await _signer.SignAsync(v2, ManifestDigest, Signer, default);
        var otherKey = await _signer.SignAsync(v1, ManifestDigest, Protected, default);

        Assert.Equal((1, true), (first.Index, first.Created));
        Assert.Equal((1, false), (again.Index, again.Created));
        Assert.Equal((2, true), (otherTag.Index, otherTag.Created));
        Assert.Equal((3, true), (otherKey.Index, otherKey.Created));
    }

    [Fact]
    public async Task SignAsync_Force_AppendsAnyway()
    {
        var v1 = Reference.Parse("registry.local/ns/app:v1");
        await _signer.SignAsync(v1, ManifestDigest, Signer, default);

        var later = new ImageSigner(_pgp, _store, new FixedTime(DateTimeOffset.UtcNow.AddSeconds(5)), "u7s test");

        var unforced = await later.SignAsync(v1, ManifestDigest, Signer, force: false, default);
        var forced = await later.SignAsync(v1, ManifestDigest, Signer, force: true, default);

        // RSA signatures are deterministic: the same payload in the same second gives the same bytes,
        // which the store never writes twice; a later timestamp makes a new signature.
        Assert.Equal((1, false), (unforced.Index, unforced.Created));
        Assert.Equal((2, true), (forced.Index, forced.Created));
    }

    [Fact]
    public async Task SignAsync_ForceWithinTheSameSecond_WritesANewSignatureOneSecondLater()
    {
        var v1 = Reference.Parse("registry.local/ns/app:v1");
        var clock = new SteppingTime(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000).AddMilliseconds(250));
        var signer = new ImageSigner(_pgp, _store, clock, "u7s test");

        var first = await signer.SignAsync(v1, ManifestDigest, Signer, force: true, default);
        var second = await signer.SignAsync(v1, ManifestDigest, Signer, force: true, default);

        // Deterministic signatures with one-second timestamps: the second, identical at first, is made again at the next second.
        Assert.Equal((1, true), (first.Index, first.Created));
        Assert.Equal((2, true), (second.Index, second.Created));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_800_000_001), clock.GetUtcNow());
        var timestamps = new List<long?>();
        await foreach (var stored in _store.ListAsync(RepositoryName.Parse("ns/app"), ManifestDigest, default))
        {
            var check = new SignatureVerifier(_pgp, clock).Check(stored.Content, TrustedKeyring.Load(_pgp, [SampleKeys.SignerPublic], clock.GetUtcNow()), ManifestDigest, _ => true, default);
            timestamps.Add(check.Payload?.Timestamp);
        }

        Assert.Equal([1_800_000_000L, 1_800_000_001L], timestamps);
    }

    [Theory]
    [InlineData("ns/app:v1")]
    [InlineData("registry.local/ns/app")]
    [InlineData("registry.local/ns/app@sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")]
    public async Task SignAsync_IdentityNotHostRepoTag_IsRefused(string reference) =>
        await Assert.ThrowsAsync<ArgumentException>(() => _signer.SignAsync(Reference.Parse(reference), ManifestDigest, Signer, default));

    [Theory]
    [InlineData("registry.local/k8s-c10f1/pause:3.9", "k8s-c10f1/pause")]
    [InlineData("docker.io/busybox:1", "library/busybox")]
    [InlineData("busybox:1", "library/busybox")]
    [InlineData("docker.io/foo/bar:1", "foo/bar")]
    [InlineData("127.0.0.1:5000/pause:1", "pause")]
    public void LookasidePath_RepositoryOf_DropsHost(string reference, string expected) =>
        Assert.Equal(expected, LookasidePath.RepositoryOf(Reference.Parse(reference)).Value);
}
