using U7s.Loader.Generator;
using U7s.Loader.Loading;
using U7s.Loader.Names;
using U7s.Loader.Registry;
using U7s.Loader.Signing;
using U7s.Loader.Tests.Support;
using U7s.Testing;
using U7s.Testing.Signing;

namespace U7s.Loader.Tests.Loading;

/// <summary>
/// Load, sign with gpg and verify with skopeo 1.9.3 under a signedBy policy; and the INTEROP §6
/// round trip: what the loader pushed, skopeo pulls with the archive's manifest digest.
/// </summary>
public sealed class SignedLoadInteropTests(DockerRegistry registry) : IClassFixture<DockerRegistry>, IDisposable
{
    private readonly TempDirectory _temp = new("u7s-signed");

    public void Dispose() => _temp.Dispose();

    [RequiresToolFact("docker-registry", "skopeo", "gpg")]
    public async Task LoadAsync_WithSignerAndVerifier_EveryImageSignedAndVerifiedIdempotently()
    {
        using var keyring = await GpgKeyring.CreateAsync();
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("a.tar.xz"), new GeneratorOptions { ImageCount = 3, Seed = 21 }, CancellationToken.None);
        registry.EnsureStarted();
        var lookaside = _temp.Combine("www");
        IImageSigner signer = new GpgImageSigner(keyring, lookaside);
        var verifier = new SkopeoImageJudge(registry.HostPort, keyring.PublicKeyPath, lookaside, _temp.Path);
        var loader = new ArchiveLoader(new RegistryHttpSink(registry.Client), signer, verifier);
        var request = new LoadRequest { ArchivePath = archive.Path, Architecture = "amd64", Names = NameMapper.Create(null, "k8s-c10f1", null) };

        var first = await loader.LoadAsync(request, CancellationToken.None);
        Assert.True(first.AllVerified, string.Join("; ", first.Images.Select(i => i.Verification?.Reason)));
        Assert.Contains(keyring.Fingerprint, first.Signer, StringComparison.Ordinal);
        foreach (var image in first.Images)
        {
            Assert.Equal(1, image.Signature!.SignatureIndex);
            Assert.False(image.Signature.Existing);
            var path = Path.Combine(lookaside, "sigstore", $"{image.Image.Repository}@sha256={image.Digest.Hex}", "signature-1");
            Assert.True(File.Exists(path), path);
        }

        var second = await loader.LoadAsync(request, CancellationToken.None);
        Assert.All(second.Images, i => Assert.True(i.Signature!.Existing));
        Assert.All(second.Images, i => Assert.Equal(1, i.Signature!.SignatureIndex));
        Assert.True(second.AllVerified);

        // The verification pass is real: without the signature the same image is rejected.
        var pause = first.Images[0];
        File.Delete(Path.Combine(lookaside, "sigstore", $"{pause.Image.Repository}@sha256={pause.Digest.Hex}", "signature-1"));
        var rejected = await verifier.JudgeAsync(pause.Image.Target, CancellationToken.None);
        Assert.False(rejected.IsAccepted);
        Assert.Contains("signature", rejected.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [RequiresToolFact("docker-registry", "gpg")]
    public async Task LoadAsync_EntryIsImageIndex_SignsEveryInstanceAndTheIndex()
    {
        using var keyring = await GpgKeyring.CreateAsync();
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("i.tar.xz"), new GeneratorOptions { ImageCount = 1, Seed = 24 }, CancellationToken.None);
        var child = archive.Images[0];
        var indexBytes = System.Text.Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"mediaType\":\"{Oci.MediaTypes.OciIndex}\",\"manifests\":[{{\"mediaType\":\"{Oci.MediaTypes.OciManifest}\",\"digest\":\"{child.ManifestDigest}\",\"size\":{child.ManifestSize},\"platform\":{{\"architecture\":\"amd64\",\"os\":\"linux\"}}}}]}}");
        var indexDigest = Oci.Digest.Compute(indexBytes);
        var edited = _temp.Combine("index.tar.xz");
        await ArchiveMutator.RewriteAsync(
            archive.Path,
            edited,
            ArchiveMutator.EditIndex("amd64", index =>
            {
                var entry = index["manifests"]![0]!;
                entry["mediaType"] = Oci.MediaTypes.OciIndex;
                entry["digest"] = indexDigest.ToString();
                entry["size"] = indexBytes.Length;
            }),
            [ArchiveMutator.File($"amd64/blobs/sha256/{indexDigest.Hex}", indexBytes)]);
        registry.EnsureStarted();
        var lookaside = _temp.Combine("www-index");
        var loader = new ArchiveLoader(new RegistryHttpSink(registry.Client), new GpgImageSigner(keyring, lookaside), null);
        var request = new LoadRequest { ArchivePath = edited, Architecture = "amd64", Names = NameMapper.Create("registry.local/ix/k8s-c10f1", "k8s-c10f1", null) };

        var loaded = Assert.Single((await loader.LoadAsync(request, CancellationToken.None)).Images);

        // Pulls verify the per-platform manifest at its own digest (SPEC §2.7): both must be signed.
        Assert.Equal(indexDigest, loaded.Digest);
        foreach (var digest in new[] { indexDigest, child.ManifestDigest })
        {
            var signature = Path.Combine(lookaside, "sigstore", $"{loaded.Image.Repository}@sha256={digest.Hex}", "signature-1");
            var payload = await keyring.GpgAsync(["--batch", "--decrypt", signature]);
            Assert.Equal(0, payload.ExitCode);
            Assert.Contains($"\"docker-manifest-digest\":\"{digest}\"", payload.StandardOutput, StringComparison.Ordinal);
            Assert.Contains($"\"docker-reference\":\"{loaded.Image.Target}\"", payload.StandardOutput, StringComparison.Ordinal);
        }
    }

    [RequiresToolFact("docker-registry", "gpg")]
    public async Task LoadAsync_SignerKeyMissing_FailsBeforeAnythingIsPushed()
    {
        using var keyring = await GpgKeyring.CreateAsync();
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("c.tar.xz"), new GeneratorOptions { ImageCount = 1, Seed = 23 }, CancellationToken.None);
        IImageSigner signer = new GpgImageSigner(keyring, _temp.Combine("www"), "nobody@example.test");
        var loader = new ArchiveLoader(new RegistryHttpSink(registry.Client), signer, null);
        var request = new LoadRequest { ArchivePath = archive.Path, Architecture = "amd64", Names = NameMapper.Create("registry.local/nokey/k8s-c10f1", "k8s-c10f1", null) };

        var e = await Assert.ThrowsAsync<LoadException>(() => loader.LoadAsync(request, CancellationToken.None));

        Assert.Equal(LoadErrorKind.SignerUnusable, e.Kind);
        Assert.Contains("nobody@example.test", e.Message, StringComparison.Ordinal);
        var layer = archive.Images[0].Layers[^1];
        Assert.False(await new RegistryHttpSink(registry.Client).HasBlobAsync(Oci.RepositoryName.Parse("nokey/k8s-c10f1/kube-apiserver"), layer, CancellationToken.None));
    }

    [RequiresToolFact("docker-registry", "skopeo")]
    public async Task SkopeoCopy_ImageLoadedFromArchive_HasArchiveManifestDigest()
    {
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("b.tar.xz"), new GeneratorOptions { ImageCount = 7, Seed = 22 }, CancellationToken.None);
        var loader = new ArchiveLoader(new RegistryHttpSink(registry.Client), null, null);
        await loader.LoadAsync(
            new LoadRequest { ArchivePath = archive.Path, Architecture = "amd64", Names = NameMapper.Create("registry.local/rt/k8s-c10f1", "k8s-c10f1", null) },
            CancellationToken.None);
        var pause = archive.Images.Single(i => i.RefName == "k8s-c10f1/pause:3.9");
        var policy = _temp.Combine("policy-any.json");
        await File.WriteAllTextAsync(policy, """{"default":[{"type":"insecureAcceptAnything"}]}""");
        var output = _temp.Combine("pulled");

        (await ExternalProcess.RunAsync("skopeo", ["--policy", policy, "copy", "-q", "--src-tls-verify=false", $"docker://{registry.HostPort}/rt/k8s-c10f1/pause:3.9", $"dir:{output}"]))
            .EnsureSuccess("skopeo copy");
        var digest = (await ExternalProcess.RunAsync("skopeo", ["manifest-digest", Path.Combine(output, "manifest.json")])).EnsureSuccess("skopeo manifest-digest").StandardOutput.Trim();

        Assert.Equal(pause.ManifestDigest.ToString(), digest);
        Assert.True(File.Exists(Path.Combine(output, pause.Layers[^1].Hex)));
    }
}
