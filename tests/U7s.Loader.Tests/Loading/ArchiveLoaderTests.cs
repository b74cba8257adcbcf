using U7s.Loader.Generator;
using U7s.Loader.Loading;
using U7s.Loader.Names;
using U7s.Loader.Registry;
using U7s.Loader.Tests.Support;
using U7s.Oci;
using U7s.Testing;

namespace U7s.Loader.Tests.Loading;

/// <summary>The loader against a real docker-registry: happy paths, re-runs and tar orders.</summary>
public sealed class ArchiveLoaderTests(DockerRegistry registry) : IClassFixture<DockerRegistry>, IDisposable
{
    private readonly TempDirectory _temp = new("u7s-loader");

    public void Dispose() => _temp.Dispose();

    [RequiresToolFact("docker-registry")]
    public async Task LoadAsync_IndexFirst_PublishesEveryImageByteExactUnderMappedNames()
    {
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("a.tar.xz"), new GeneratorOptions { ImageCount = 5, Seed = 3 }, CancellationToken.None);
        var result = await LoadAsync(archive.Path, "registry.local/t1/k8s-c10f1");

        Assert.Equal(5, result.Images.Count);
        var client = registry.Client;
        foreach (var (generated, loaded) in archive.Images.Zip(result.Images))
        {
            Assert.Equal(generated.ManifestDigest, loaded.Digest);
            Assert.Equal($"registry.local/t1/{generated.RefName}", loaded.Image.Target.ToString());
            Assert.False(loaded.Image.Additional);
            var served = await client.GetManifestOrNullAsync(loaded.Image.Repository, loaded.Image.Tag.Value, CancellationToken.None);
            Assert.NotNull(served);
            Assert.Equal(generated.ManifestDigest, served.Digest);
            Assert.Equal(MediaTypes.OciManifest, served.MediaType);
            foreach (var layer in generated.Layers)
            {
                await using var blob = await client.OpenBlobAsync(loaded.Image.Repository, layer, CancellationToken.None);
                Assert.Equal(layer.Hex, await TestData.Sha256Async(blob));
            }
        }

        // The two base layers are sent once and mounted into the other repositories.
        var distinct = archive.Images.SelectMany(i => i.Layers.Append(i.ConfigDigest)).Distinct().Count();
        Assert.Equal(distinct, result.BlobsSent);
    }

    [RequiresToolFact("docker-registry")]
    public async Task LoadAsync_SecondRun_SendsNothingAndKeepsDigests()
    {
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("a.tar.xz"), new GeneratorOptions { ImageCount = 3, Seed = 4 }, CancellationToken.None);
        var first = await LoadAsync(archive.Path, "registry.local/t2/k8s-c10f1");
        var second = await LoadAsync(archive.Path, "registry.local/t2/k8s-c10f1");

        Assert.True(first.BlobsSent > 0);
        Assert.Equal(0, second.BlobsSent);
        Assert.Equal(first.Images.Select(i => i.Digest), second.Images.Select(i => i.Digest));
    }

    [RequiresToolFact("docker-registry")]
    public async Task LoadAsync_IndexAfterBlobs_SpoolsAndPublishesSameDigests()
    {
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("late.tar.xz"), new GeneratorOptions { ImageCount = 4, Seed = 5, IndexFirst = false }, CancellationToken.None);
        var spoolRoot = _temp.Combine("spool");
        Directory.CreateDirectory(spoolRoot);
        var result = await LoadAsync(archive.Path, "registry.local/t3/k8s-c10f1", spoolRoot);

        Assert.Equal(archive.Images.Select(i => i.ManifestDigest), result.Images.Select(i => i.Digest));
        var tags = await registry.Client.ListTagsAsync(RepositoryName.Parse("t3/k8s-c10f1/kube-scheduler"), CancellationToken.None).ToListAsync();
        Assert.Equal(["v1.26.3"], tags);
        Assert.Empty(Directory.EnumerateFileSystemEntries(spoolRoot));
    }

    [RequiresToolFact("docker-registry")]
    public async Task LoadAsync_OtherPlatformWithExplicitRehome_MapsUnderTarget()
    {
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("p10.tar.xz"), new GeneratorOptions { ImageCount = 2, Platform = "p10" }, CancellationToken.None);
        var names = NameMapper.Create("registry.local/t4/k8s-c10f1", "k8s-c10f1", archivePlatform: "p10");
        var loader = new ArchiveLoader(new RegistryHttpSink(registry.Client), null, null);
        var result = await loader.LoadAsync(new LoadRequest { ArchivePath = archive.Path, Architecture = "amd64", Names = names }, CancellationToken.None);

        Assert.Equal("registry.local/t4/k8s-c10f1/kube-apiserver:v1.26.3", result.Images[0].Image.Target.ToString());
        Assert.NotNull(await registry.Client.GetManifestOrNullAsync(RepositoryName.Parse("t4/k8s-c10f1/kube-apiserver"), "v1.26.3", CancellationToken.None));
    }

    [RequiresToolFact("docker-registry")]
    public async Task LoadAsync_AdditionalImageOutsideBase_GoesUnderHost()
    {
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("a.tar.xz"), new GeneratorOptions { ImageCount = 2, Seed = 6 }, CancellationToken.None);
        var edited = _temp.Combine("extra.tar.xz");
        await ArchiveMutator.RewriteAsync(archive.Path, edited, ArchiveMutator.EditIndex("amd64", index =>
            index["manifests"]![1]!["annotations"]!["org.opencontainers.image.ref.name"] = "t5extra/tool:1.0"));
        var result = await LoadAsync(edited, "registry.local/t5/k8s-c10f1");

        Assert.False(result.Images[0].Image.Additional);
        Assert.True(result.Images[1].Image.Additional);
        Assert.Equal("registry.local/t5extra/tool:1.0", result.Images[1].Image.Target.ToString());
        Assert.NotNull(await registry.Client.GetManifestOrNullAsync(RepositoryName.Parse("t5extra/tool"), "1.0", CancellationToken.None));
    }

    [RequiresToolFact("docker-registry")]
    public async Task LoadAsync_NoMemoryBudgetForDocuments_ReadsManifestsBackFromSpool()
    {
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("a.tar.xz"), new GeneratorOptions { ImageCount = 2, Seed = 7 }, CancellationToken.None);
        var loader = new ArchiveLoader(new RegistryHttpSink(registry.Client), null, null);
        var result = await loader.LoadAsync(
            new LoadRequest { ArchivePath = archive.Path, Architecture = "amd64", Names = NameMapper.Create("registry.local/t6/k8s-c10f1", "k8s-c10f1", null), MaxInMemoryDocumentBytes = 0 },
            CancellationToken.None);

        Assert.Equal(archive.Images.Select(i => i.ManifestDigest), result.Images.Select(i => i.Digest));
    }

    [RequiresToolFact("docker-registry")]
    public async Task LoadAsync_EntryIsImageIndex_PublishesChildByDigestAndIndexUnderTag()
    {
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("a.tar.xz"), new GeneratorOptions { ImageCount = 1, Seed = 8 }, CancellationToken.None);
        var child = archive.Images[0];
        var indexBytes = System.Text.Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciIndex}\",\"manifests\":[{{\"mediaType\":\"{MediaTypes.OciManifest}\",\"digest\":\"{child.ManifestDigest}\",\"size\":{child.ManifestSize},\"platform\":{{\"architecture\":\"amd64\",\"os\":\"linux\"}}}}]}}");
        var indexDigest = Digest.Compute(indexBytes);
        var edited = _temp.Combine("index.tar.xz");
        await ArchiveMutator.RewriteAsync(
            archive.Path,
            edited,
            ArchiveMutator.EditIndex("amd64", index =>
            {
                var entry = index["manifests"]![0]!;
                entry["mediaType"] = MediaTypes.OciIndex;
                entry["digest"] = indexDigest.ToString();
                entry["size"] = indexBytes.Length;
            }),
            [ArchiveMutator.File($"amd64/blobs/sha256/{indexDigest.Hex}", indexBytes)]);

        var result = await LoadAsync(edited, "registry.local/t7/k8s-c10f1");

        var loaded = Assert.Single(result.Images);
        Assert.Equal(indexDigest, loaded.Digest);
        Assert.Equal(MediaTypes.OciIndex, loaded.MediaType);
        var byTag = await registry.Client.GetManifestOrNullAsync(loaded.Image.Repository, "v1.26.3", CancellationToken.None);
        Assert.Equal(indexDigest, byTag!.Digest);
        var childServed = await registry.Client.GetManifestOrNullAsync(loaded.Image.Repository, child.ManifestDigest.ToString(), CancellationToken.None);
        Assert.Equal(child.ManifestDigest, childServed!.Digest);
    }

    [RequiresToolFact("docker-registry")]
    public async Task LoadAsync_LayersAboveDocumentLimit_StreamStraightToRegistryAndBadOnesAreRefused()
    {
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("big.tar.xz"), new GeneratorOptions { ImageCount = 1, Seed = 10, LayerBytes = 5 << 20, XzPreset = 0 }, CancellationToken.None);
        var big = archive.Images[0].Layers[0];
        var corrupt = _temp.Combine("corrupt.tar.xz");
        await ArchiveMutator.RewriteAsync(archive.Path, corrupt, ArchiveMutator.Replace($"amd64/blobs/sha256/{big.Hex}", bytes =>
        {
            bytes[^1000] ^= 1;
            return bytes;
        }));

        var e = await Assert.ThrowsAsync<LoadException>(() => LoadAsync(corrupt, "registry.local/t8/k8s-c10f1"));
        Assert.Equal(LoadErrorKind.InvalidContent, e.Kind);
        Assert.Contains($"content has digest", e.Message, StringComparison.Ordinal);
        var repository = RepositoryName.Parse("t8/k8s-c10f1/kube-apiserver");
        Assert.False(await new RegistryHttpSink(registry.Client).HasBlobAsync(repository, big, CancellationToken.None));

        var result = await LoadAsync(archive.Path, "registry.local/t8/k8s-c10f1");
        Assert.True(archive.BlobBytes > 10 << 20);
        Assert.Equal(archive.Images[0].ManifestDigest, result.Images[0].Digest);
        await using var blob = await registry.Client.OpenBlobAsync(repository, big, CancellationToken.None);
        Assert.Equal(big.Hex, await TestData.Sha256Async(blob));
    }

    private Task<LoadResult> LoadAsync(string archive, string target, string? temporaryRoot = null)
    {
        var loader = new ArchiveLoader(new RegistryHttpSink(registry.Client), null, null);
        return loader.LoadAsync(
            new LoadRequest
            {
                ArchivePath = archive,
                Architecture = "amd64",
                Names = NameMapper.Create(target, "k8s-c10f1", null),
                TemporaryRoot = temporaryRoot,
            },
            CancellationToken.None);
    }
}
