using U7s.Loader.Generator;
using U7s.Loader.Loading;
using U7s.Loader.Names;
using U7s.Loader.Registry;
using U7s.Loader.Tests.Support;
using U7s.Testing;

namespace U7s.Loader.Tests.Loading;

/// <summary>
/// An archive made the way podsec's save script makes it: skopeo writes an <c>oci:</c> layout
/// (INTEROP §6), GNU tar and xz pack it. The loader reads it and keeps every digest.
/// </summary>
public sealed class ExternalArchiveInteropTests(DockerRegistry registry) : IClassFixture<DockerRegistry>, IDisposable
{
    private readonly TempDirectory _temp = new("u7s-extarch");

    public void Dispose() => _temp.Dispose();

    [RequiresToolFact("docker-registry", "skopeo", "tar", "xz")]
    public async Task LoadAsync_SkopeoLayoutPackedByGnuTar_KeepsDigests()
    {
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("gen.tar.xz"), new GeneratorOptions { ImageCount = 3, Seed = 51 }, CancellationToken.None);
        var names = NameMapper.Create("registry.local/src/k8s-c10f1", "k8s-c10f1", null);
        await new ArchiveLoader(new RegistryHttpSink(registry.Client), null, null)
            .LoadAsync(new LoadRequest { ArchivePath = archive.Path, Architecture = "amd64", Names = names }, CancellationToken.None);
        var policy = _temp.Combine("policy-any.json");
        await File.WriteAllTextAsync(policy, """{"default":[{"type":"insecureAcceptAnything"}]}""");
        var layout = _temp.Combine("x", "amd64");
        Directory.CreateDirectory(layout);
        foreach (var image in archive.Images)
        {
            (await ExternalProcess.RunAsync(
                "skopeo",
                ["--policy", policy, "copy", "-q", "--preserve-digests", "--src-tls-verify=false", $"docker://{registry.HostPort}/src/{image.RefName}", $"oci:{layout}:{image.RefName}"]))
                .EnsureSuccess("skopeo copy to oci layout");
        }

        var packed = _temp.Combine("amd64_c10f1.tar.xz");
        (await ExternalProcess.RunAsync("tar", ["-C", _temp.Combine("x"), "-cJf", packed, "amd64"])).EnsureSuccess("tar -cJf");

        var result = await new ArchiveLoader(new RegistryHttpSink(registry.Client), null, null).LoadAsync(
            new LoadRequest { ArchivePath = packed, Architecture = "amd64", Names = NameMapper.Create("registry.local/dst/k8s-c10f1", "k8s-c10f1", null) },
            CancellationToken.None);

        Assert.Equal(
            archive.Images.Select(i => (i.RefName, i.ManifestDigest)).OrderBy(i => i.RefName, StringComparer.Ordinal),
            result.Images.Select(i => (i.Image.Source.Value, i.Digest)).OrderBy(i => i.Item1, StringComparer.Ordinal));
        Assert.All(result.Images, i => Assert.StartsWith("registry.local/dst/k8s-c10f1/", i.Image.Target.ToString(), StringComparison.Ordinal));
    }
}
