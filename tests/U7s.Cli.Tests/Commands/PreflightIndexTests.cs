using U7s.Cli.Tests.Support;
using U7s.Cli.Wiring;
using U7s.Cluster;
using U7s.Cluster.Files;
using U7s.Cluster.Kubeadm;
using U7s.Oci;
using U7s.Sigstore.Keys;
using U7s.Sigstore.Manifests;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Signing;
using U7s.Sigstore.Store;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// The kubeadm preflight judges a multi-platform image as a node's pull does: each platform manifest on its own
/// signatures, never the index's. Real parts: indexes pushed by skopeo into Debian's docker-registry, signatures by
/// the BouncyCastle signer served by U7s's own :81, the node's policy read from a staging root by the preflight's
/// judge (<see cref="NodeImageJudge"/>). Before the one judge, the preflight checked the signature of whatever the
/// tag resolved to, so it refused the first image below and passed the second.
/// </summary>
public sealed class PreflightIndexTests(DockerRegistry registry) : IClassFixture<DockerRegistry>, IDisposable
{
    private const string Signed = "registry.local/k8s-c10f1/pause:3.9";
    private const string IndexOnly = "registry.local/k8s-c10f1/coredns:v1.9.3";

    private readonly TempDirectory _dir = new("u7s-preflight-index");

    private string Root => _dir.Combine("root");

    private string SigstoreRoot => _dir.Combine("sig");

    public void Dispose() => _dir.Dispose();

    [RequiresToolFact("skopeo", "docker-registry")]
    public async Task Preflight_IndexWithSignedPlatforms_Passes_SignedIndexOverUnsignedPlatforms_IsRefused()
    {
        WriteNodePolicy();
        var (_, signedChildren) = await PushIndexAsync(Signed);
        foreach (var child in signedChildren)
        {
            await SignAsync(Signed, child);
        }

        var (index, unsignedChildren) = await PushIndexAsync(IndexOnly);
        await SignAsync(IndexOnly, index);
        await using var sigstore = await SigstoreServer.StartAsync(SigstoreRoot);
        using var http = RemoteHttp.Create(TimeSpan.FromSeconds(30));
        var judge = new NodeImageJudge(http, new NodeRoot(Root), TimeProvider.System, registry.BaseUri, new Uri(sigstore.BaseAddress, "sigstore/"));
        var preflight = new KubeadmPreflight(new NodeFileWriter(new NodeRoot(Root), TimeProvider.System), judge, new ClusterOptions());

        var problems = await preflight.CheckAsync(new PreflightRequest([Signed, IndexOnly], Signed, null, null, false), default);

        // The staging root has no hosts, CRI-O or sysctl files: those problems are listed too; only the images matter here.
        var images = problems.Where(p => p.StartsWith("registry.local/", StringComparison.Ordinal)).ToList();
        var refused = Assert.Single(images);
        Assert.Equal(
            $"{IndexOnly}: signature does not verify under /etc/containers/policy.json ({index}: "
            + string.Join("; ", unsignedChildren.Select(c => $"instance {c}: A signature was required, but no signature exists")) + ")",
            refused);
    }

    private void WriteNodePolicy()
    {
        var keys = Path.Join(Root, "etc", "u7s", "keys");
        Directory.CreateDirectory(keys);
        File.WriteAllBytes(Path.Join(keys, "imagemaker.pgp"), SampleKeys.SignerPublic);
        Directory.CreateDirectory(Path.Join(Root, "etc", "containers"));
        // A node path, read inside the staging root as the node would read it.
        File.WriteAllText(Path.Join(Root, "etc", "containers", "policy.json"), EnforcedServer.Policy("/etc/u7s/keys/imagemaker.pgp"));
    }

    private async Task<(Digest Index, IReadOnlyList<Digest> Children)> PushIndexAsync(string image)
    {
        var reference = Reference.Parse(image);
        var layout = _dir.Combine("layouts", reference.Repository.Value);
        TestImageLayout.WriteMultiArch(layout, "v1", $"image {image}\n");
        var accept = _dir.Combine("accept.json");
        await File.WriteAllTextAsync(accept, """{"default":[{"type":"insecureAcceptAnything"}]}""");
        (await ExternalProcess.RunAsync("skopeo", ["--policy", accept, "copy", "-q", "--all", "--dest-tls-verify=false", $"oci:{layout}:v1", $"docker://{registry.HostPort}/{reference.Repository}:{reference.Tag}"]))
            .EnsureSuccess($"push {image}");
        var served = await new HttpManifestSource(registry.Http, registry.BaseUri).GetManifestOrNullAsync(reference, default)
            ?? throw new InvalidOperationException($"{image} was not pushed");
        return (served.Digest, IndexInstances.Of(served));
    }

    private async Task SignAsync(string identity, Digest digest)
    {
        Directory.CreateDirectory(SigstoreRoot);
        var key = new SignerKey(SampleKeys.SignerFingerprint, SampleKeys.SignerSecret, SampleKeys.SignerPublic, null);
        var signer = new ImageSigner(new BouncyCastleOpenPgp(), new SignatureStore(new FileSystemSigstoreTree(SigstoreRoot)), TimeProvider.System, "u7s test");
        await signer.SignAsync(Reference.Parse(identity), digest, key, default);
    }
}
