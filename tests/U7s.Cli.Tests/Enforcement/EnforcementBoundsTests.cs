using Microsoft.Extensions.Logging.Abstractions;
using U7s.Cli.Tests.Support;
using U7s.Oci;
using U7s.Security.Signers;
using U7s.Server.Enforcement;
using U7s.Sigstore.Judging;
using U7s.Sigstore.Manifests;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Store;

namespace U7s.Cli.Tests.Enforcement;

/// <summary>
/// What judging a manifest read may cost, whatever others wrote into the signature tree or
/// <c>keys/</c>, counted (files opened, bytes read, keyrings parsed), not timed.
/// </summary>
public sealed class EnforcementBoundsTests : IDisposable
{
    private static readonly Digest Image = Digest.Compute("the image"u8);
    private readonly TempDirectory _dir = new("u7s-bounds");

    /// <summary>
    /// Oversized signature files (1 MiB each, sparse) are read no further than the largest signed
    /// message that could verify, and six requests for one image arriving together share one read of
    /// its signatures: bytes read stay within one bound however many requests come.
    /// </summary>
    [Fact]
    public async Task OversizedSignatures_ReadOnlyUpToTheBound_ConcurrentRequestsShareOneRead()
    {
        const int count = 16;
        var directory = Directory.CreateDirectory(_dir.Combine("sig", "sigstore", $"app@sha256={Image.Hex}"));
        for (var i = 1; i <= count; i++)
        {
            using var file = File.Create(Path.Combine(directory.FullName, $"signature-{i}"));
            file.WriteByte(0xA3);
            file.SetLength(1024 * 1024);
        }

        var tree = new CountingTree(new FileSystemSigstoreTree(_dir.Combine("sig")));
        using var signatures = await SignaturesAsync(tree, null);

        tree.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = Enumerable.Range(0, 6).Select(_ => signatures.ReportAsync(RepositoryName.Parse("app"), Tag.Parse("1"), Image, CancellationToken.None).AsTask()).ToList();
        tree.Gate.SetResult();
        var reports = await Task.WhenAll(requests);

        Assert.Equal(1, signatures.SignatureReads);
        Assert.Equal(count + 1, tree.Opens);
        Assert.InRange(tree.BytesRead, count, count * (SignedMessageReader.MaxMessageBytes + 1L));
        Assert.All(reports, r => Assert.Same(reports[0], r));
        var report = reports[0];
        Assert.False(report.IsAllowed);
        Assert.Equal(count, report.Signatures.Count);
        Assert.All(report.Signatures, s => Assert.Contains($"larger than the {SignedMessageReader.MaxMessageBytes} bytes", s.Reason, StringComparison.Ordinal));
    }

    /// <summary>
    /// A reload reads the policy, its key files and the authorization file, never the served
    /// <c>keys/</c>, and parses only keys it has not parsed before: touching a file parses nothing
    /// again, a new imagemaker's key is the one keyring parsed.
    /// </summary>
    [Fact]
    public async Task Reload_ParsesOnlyNewKeys_AndNeverTheServedKeysDirectory()
    {
        var keys = Directory.CreateDirectory(_dir.Combine("sig", "keys"));
        await File.WriteAllBytesAsync(Path.Combine(keys.FullName, "huge.pgp"), new byte[1024 * 1024]);
        var signers = TestSigners.Write(_dir.Combine("signers.json"), "{}", ("admin", SampleKeys.SignerPublic), ("bob", SampleKeys.ProtectedPublic));
        var openPgp = new CountingOpenPgp();
        var policy = new EnforcementPolicy(await PolicyFileAsync(), new SignersFile(signers), openPgp, TimeProvider.System, TimeSpan.Zero, NullLogger.Instance);

        await policy.LoadAsync(CancellationToken.None);
        var loaded = await policy.CurrentAsync(CancellationToken.None);

        // The policy's key file and admin's registered key are the same bytes: one parse between them.
        Assert.Equal(2, openPgp.PublicKeyReads);
        Assert.Equal("U7s Sample Signer (THROWAWAY) <signer@example.test>", loaded.UserIds[SampleKeys.SignerFingerprint]);
        Assert.Contains(SampleKeys.ProtectedFingerprint, loaded.KnownKeys!.PrimaryFingerprints);

        File.SetLastWriteTimeUtc(policy.Path!, DateTime.UtcNow.AddMinutes(1));
        await File.WriteAllBytesAsync(Path.Combine(keys.FullName, "huge.pgp"), new byte[2 * 1024 * 1024]);
        var touched = await policy.CurrentAsync(CancellationToken.None);
        Assert.NotSame(loaded, touched);
        Assert.Equal(2, openPgp.PublicKeyReads);

        TestSigners.Write(signers, "{}", ("admin", SampleKeys.SignerPublic), ("bob", SampleKeys.ProtectedPublic), ("carol", SampleKeys.SubkeyPublic));
        var added = await policy.CurrentAsync(CancellationToken.None);
        Assert.Equal(3, openPgp.PublicKeyReads);
        Assert.Contains(SampleKeys.SubkeyPrimaryFingerprint, added.KnownKeys!.PrimaryFingerprints);
    }

    public void Dispose() => _dir.Dispose();

    private async Task<string> PolicyFileAsync()
    {
        var key = _dir.Combine("etc", "signer.pgp");
        Directory.CreateDirectory(Path.GetDirectoryName(key)!);
        await File.WriteAllBytesAsync(key, SampleKeys.SignerPublic);
        var path = _dir.Combine("etc", "policy.json");
        await File.WriteAllTextAsync(path, EnforcedServer.Policy(key));
        return path;
    }

    private async Task<PolicyImageSignatures> SignaturesAsync(ISigstoreTree tree, ISignerSource? signers)
    {
        var openPgp = new BouncyCastleOpenPgp();
        var policy = new EnforcementPolicy(await PolicyFileAsync(), signers, openPgp, TimeProvider.System, TimeSpan.FromHours(1), NullLogger.Instance);
        await policy.LoadAsync(CancellationToken.None);
        return new PolicyImageSignatures(policy, new OneManifest(), new TreeSignatures(tree, "tree"), openPgp, "registry.local", TimeProvider.System, TimeSpan.FromHours(1));
    }

    /// <summary>The registry's store as the judge sees it: one image manifest, <see cref="Image"/>.</summary>
    private sealed class OneManifest : IManifestSource
    {
        public Task<FetchedManifest?> GetManifestOrNullAsync(Reference reference, CancellationToken cancellationToken) =>
            Task.FromResult(reference.Digest == Image ? new FetchedManifest("the image"u8.ToArray(), MediaTypes.OciManifest, Image) : null);
    }

    /// <summary>The real OpenPGP implementation, counting how often key data is parsed.</summary>
    private sealed class CountingOpenPgp : IOpenPgp
    {
        private readonly BouncyCastleOpenPgp _inner = new();
        private int _publicKeyReads;

        public int PublicKeyReads => Volatile.Read(ref _publicKeyReads);

        public IReadOnlyList<OpenPgpKeyInfo> ReadPublicKeys(ReadOnlySpan<byte> data, DateTimeOffset now)
        {
            Interlocked.Increment(ref _publicKeyReads);
            return _inner.ReadPublicKeys(data, now);
        }

        public byte[] GenerateSecretKey(KeyGenerationRequest request) => _inner.GenerateSecretKey(request);

        public IReadOnlyList<OpenPgpKeyInfo> ReadSecretKeys(ReadOnlySpan<byte> data, DateTimeOffset now) => _inner.ReadSecretKeys(data, now);

        public byte[] ExportSecretKey(ReadOnlySpan<byte> secretKeys, string fingerprint, bool armored) => _inner.ExportSecretKey(secretKeys, fingerprint, armored);

        public byte[] ExportPublicKey(ReadOnlySpan<byte> secretKeys, string fingerprint, bool armored) => _inner.ExportPublicKey(secretKeys, fingerprint, armored);

        public bool CheckPassphrase(ReadOnlySpan<byte> secretKeys, string fingerprint, ReadOnlySpan<char> passphrase) => _inner.CheckPassphrase(secretKeys, fingerprint, passphrase);

        public byte[] Sign(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> secretKeys, string fingerprint, ReadOnlySpan<char> passphrase, SignatureHash hash, DateTimeOffset signingTime) =>
            _inner.Sign(payload, secretKeys, fingerprint, passphrase, hash, signingTime);

        public OpenPgpVerification Verify(ReadOnlySpan<byte> signature, IReadOnlyList<ReadOnlyMemory<byte>> keyrings, DateTimeOffset now, CancellationToken cancellationToken) =>
            _inner.Verify(signature, keyrings, now, cancellationToken);
    }
}
