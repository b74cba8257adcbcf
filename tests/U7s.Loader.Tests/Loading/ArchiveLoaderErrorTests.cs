using System.Formats.Tar;
using U7s.Loader.Generator;
using U7s.Loader.Loading;
using U7s.Loader.Names;
using U7s.Loader.Registry;
using U7s.Loader.Tests.Support;
using U7s.Oci;
using U7s.Testing;

namespace U7s.Loader.Tests.Loading;

/// <summary>
/// Every loader check of SPEC §1.5 against a real docker-registry: each test asserts the error
/// kind and text AND that no image of the archive got a tag. Bad entries are placed at the end
/// of an index-first archive, so blobs were already streamed to the registry when the check fires.
/// </summary>
public sealed class ArchiveLoaderErrorTests : IClassFixture<DockerRegistry>, IClassFixture<ArchiveLoaderErrorTests.GeneratedFixture>, IDisposable
{
    private readonly DockerRegistry _registry;
    private readonly GeneratedFixture _generated;
    private readonly TempDirectory _temp = new("u7s-loaderr");
    private readonly string _prefix = "e" + Guid.NewGuid().ToString("N")[..10];

    public ArchiveLoaderErrorTests(DockerRegistry registry, GeneratedFixture generated)
    {
        _registry = registry;
        _generated = generated;
    }

    public void Dispose() => _temp.Dispose();

    private GeneratedArchive Archive => _generated.Archive;

    private string Arch => Archive.Architecture;

    [RequiresToolFact("docker-registry")]
    public Task MissingArchitectureDirectory_Fails() =>
        AssertFailsAsync(Archive.Path, LoadErrorKind.MissingArchitecture, "no 'arm64/' directory (it holds amd64/)", architecture: "arm64");

    [RequiresToolFact("docker-registry")]
    public Task UnknownArchitecture_Fails() =>
        AssertFailsAsync(Archive.Path, LoadErrorKind.UnknownArchitecture, "unknown architecture 'sparc'", architecture: "sparc");

    [RequiresToolFact("docker-registry")]
    public async Task MissingIndexJson_Fails() =>
        await AssertFailsAsync(await RewriteAsync(e => e.Name == $"{Arch}/index.json" ? null : e), LoadErrorKind.InvalidLayout, "amd64/index.json is missing");

    [RequiresToolFact("docker-registry")]
    public async Task MissingOciLayout_Fails() =>
        await AssertFailsAsync(await RewriteAsync(e => e.Name == $"{Arch}/oci-layout" ? null : e), LoadErrorKind.InvalidLayout, "amd64/oci-layout is missing");

    [RequiresToolFact("docker-registry")]
    public async Task WrongOciLayoutVersion_Fails() =>
        await AssertFailsAsync(
            await RewriteAsync(ArchiveMutator.Replace($"{Arch}/oci-layout", _ => """{"imageLayoutVersion":"2.0.0"}"""u8.ToArray())),
            LoadErrorKind.InvalidLayout,
            "imageLayoutVersion is not 1.0.0");

    [RequiresToolFact("docker-registry")]
    public async Task IndexSchemaVersionNot2_Fails() =>
        await AssertFailsAsync(await RewriteAsync(ArchiveMutator.EditIndex(Arch, i => i["schemaVersion"] = 1)), LoadErrorKind.InvalidLayout, "schemaVersion is 1, expected 2");

    [RequiresToolFact("docker-registry")]
    public async Task BlobContentNotMatchingItsName_Fails()
    {
        var layer = Archive.Images[^1].Layers[^1];
        var path = await RewriteAsync(ArchiveMutator.Replace($"{Arch}/blobs/sha256/{layer.Hex}", bytes =>
        {
            bytes[bytes.Length / 2] ^= 1;
            return bytes;
        }));
        await AssertFailsAsync(path, LoadErrorKind.InvalidContent, $"content has digest sha256:");
    }

    [RequiresToolFact("docker-registry")]
    public async Task DescriptorSizeNotMatchingBlob_Fails()
    {
        var path = await RewriteAsync(ArchiveMutator.EditIndex(Arch, i => i["manifests"]![1]!["size"] = Archive.Images[1].ManifestSize + 1));
        await AssertFailsAsync(path, LoadErrorKind.InvalidContent, $"has {Archive.Images[1].ManifestSize} bytes, the descriptor says {Archive.Images[1].ManifestSize + 1}");
    }

    [RequiresToolFact("docker-registry")]
    public async Task MissingLayerBlob_Fails()
    {
        var layer = Archive.Images[0].Layers[^1];
        var path = await RewriteAsync(e => e.Name == $"{Arch}/blobs/sha256/{layer.Hex}" ? null : e);
        await AssertFailsAsync(path, LoadErrorKind.InvalidContent, $"blob {layer} is missing from the archive");
    }

    [RequiresToolFact("docker-registry")]
    public async Task ManifestMediaTypeNotMatchingDescriptor_Fails()
    {
        var path = await RewriteAsync(ArchiveMutator.EditIndex(Arch, i => i["manifests"]![0]!["mediaType"] = MediaTypes.DockerManifest));
        await AssertFailsAsync(path, LoadErrorKind.InvalidContent, $"has mediaType '{MediaTypes.OciManifest}', the descriptor says '{MediaTypes.DockerManifest}'");
    }

    [RequiresToolFact("docker-registry")]
    public async Task MissingRefNameAnnotation_Fails()
    {
        var path = await RewriteAsync(ArchiveMutator.EditIndex(Arch, i => i["manifests"]![1]!["annotations"] = new System.Text.Json.Nodes.JsonObject { ["other"] = "x" }));
        await AssertFailsAsync(path, LoadErrorKind.InvalidReference, "entry 2 (sha256:");
    }

    [RequiresToolFact("docker-registry")]
    public async Task RefNameWithoutTag_Fails()
    {
        var path = await RewriteAsync(ArchiveMutator.EditIndex(Arch, i => i["manifests"]![0]!["annotations"]!["org.opencontainers.image.ref.name"] = "k8s-c10f1/pause"));
        await AssertFailsAsync(path, LoadErrorKind.InvalidReference, "invalid ref name 'k8s-c10f1/pause'");
    }

    [RequiresToolFact("docker-registry")]
    public async Task RefNameWithBadGrammar_Fails()
    {
        var path = await RewriteAsync(ArchiveMutator.EditIndex(Arch, i => i["manifests"]![0]!["annotations"]!["org.opencontainers.image.ref.name"] = "k8s-c10f1//pause:3.9"));
        await AssertFailsAsync(path, LoadErrorKind.InvalidReference, "invalid ref name 'k8s-c10f1//pause:3.9'");
    }

    [RequiresToolFact("docker-registry")]
    public async Task UppercaseRepositoryInRefName_Fails()
    {
        var path = await RewriteAsync(ArchiveMutator.EditIndex(Arch, i => i["manifests"]![0]!["annotations"]!["org.opencontainers.image.ref.name"] = "k8s-c10f1/Pause:3.9"));
        await AssertFailsAsync(path, LoadErrorKind.InvalidReference, "not a valid registry reference");
    }

    [RequiresToolFact("docker-registry")]
    public async Task DuplicateRefNames_Fails()
    {
        var path = await RewriteAsync(ArchiveMutator.EditIndex(Arch, i =>
            i["manifests"]![1]!["annotations"]!["org.opencontainers.image.ref.name"] = Archive.Images[0].RefName));
        await AssertFailsAsync(path, LoadErrorKind.InvalidReference, $"ref name '{Archive.Images[0].RefName}' appears more than once");
    }

    [RequiresToolFact("docker-registry")]
    public async Task PlatformMismatch_FailsNamingBothValues()
    {
        var path = await RewriteAsync(ArchiveMutator.EditIndex(Arch, i =>
        {
            foreach (var entry in i["manifests"]!.AsArray())
            {
                var name = entry!["annotations"]!["org.opencontainers.image.ref.name"]!.GetValue<string>();
                entry["annotations"]!["org.opencontainers.image.ref.name"] = "p10/" + name[(name.IndexOf('/', StringComparison.Ordinal) + 1)..];
            }
        }));
        await AssertFailsAsync(path, LoadErrorKind.PlatformMismatch, "holds images for 'p10', the configured platform is 'k8s-c10f1'");
    }

    [RequiresToolFact("docker-registry")]
    public async Task AbsolutePath_Fails() =>
        await AssertFailsAsync(await AppendAsync(ArchiveMutator.File("/etc/evil", [1, 2, 3])), LoadErrorKind.UnsafeArchive, "refusing absolute path '/etc/evil'");

    [RequiresToolFact("docker-registry")]
    public async Task DotDotPath_Fails() =>
        await AssertFailsAsync(await AppendAsync(ArchiveMutator.File("amd64/../../evil", [1])), LoadErrorKind.UnsafeArchive, "refusing path with '..'");

    [RequiresToolFact("docker-registry")]
    public async Task SymbolicLink_Fails() =>
        await AssertFailsAsync(
            await AppendAsync(new UstarTarEntry(TarEntryType.SymbolicLink, "amd64/blobs/sha256/link") { LinkName = "/etc/passwd" }),
            LoadErrorKind.UnsafeArchive,
            "it is a symbolic link");

    [RequiresToolFact("docker-registry")]
    public async Task HardLink_Fails() =>
        await AssertFailsAsync(
            await AppendAsync(new UstarTarEntry(TarEntryType.HardLink, "amd64/hard") { LinkName = "amd64/index.json" }),
            LoadErrorKind.UnsafeArchive,
            "it is a hard link");

    [RequiresToolFact("docker-registry")]
    public async Task CharacterDevice_Fails() =>
        await AssertFailsAsync(
            await AppendAsync(new UstarTarEntry(TarEntryType.CharacterDevice, "amd64/null") { DeviceMajor = 1, DeviceMinor = 3 }),
            LoadErrorKind.UnsafeArchive,
            "it is a character device");

    [RequiresToolFact("docker-registry")]
    public async Task Fifo_Fails() =>
        await AssertFailsAsync(await AppendAsync(new UstarTarEntry(TarEntryType.Fifo, "amd64/pipe")), LoadErrorKind.UnsafeArchive, "it is a fifo");

    [RequiresToolFact("docker-registry")]
    public async Task TruncatedXz_Fails()
    {
        var bytes = await File.ReadAllBytesAsync(Archive.Path);
        var path = _temp.Combine("truncated.tar.xz");
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length * 9 / 10)]);
        await AssertFailsAsync(path, LoadErrorKind.UnsafeArchive, "truncated xz data");
    }

    [RequiresToolFact("docker-registry")]
    public async Task XzFooterMissing_FailsAlthoughTarIsComplete()
    {
        var bytes = await File.ReadAllBytesAsync(Archive.Path);
        var path = _temp.Combine("nofooter.tar.xz");
        await File.WriteAllBytesAsync(path, bytes[..^12]);
        await AssertFailsAsync(path, LoadErrorKind.UnsafeArchive, "truncated xz data");
    }

    [RequiresToolFact("docker-registry")]
    public async Task XzOfSomethingElseThanTar_Fails()
    {
        var path = _temp.Combine("text.tar.xz");
        await using (var file = File.Create(path))
        {
            await using var xz = new U7s.Loader.Xz.XzEncoderStream(file, leaveOpen: true);
            await xz.WriteAsync(TestData.Compressible(70, 5000));
            await xz.FinishAsync(CancellationToken.None);
        }

        await AssertFailsAsync(path, LoadErrorKind.UnsafeArchive, "cannot read the archive as tar");
    }

    [RequiresToolFact("docker-registry")]
    public async Task PlainTarWithoutXz_Fails()
    {
        var path = _temp.Combine("plain.tar");
        await using (var input = new U7s.Loader.Xz.XzDecoderStream(File.OpenRead(Archive.Path)))
        await using (var output = File.Create(path))
        {
            await input.CopyToAsync(output);
        }

        await AssertFailsAsync(path, LoadErrorKind.UnsafeArchive, "not xz data");
    }

    [RequiresToolFact("docker-registry")]
    public async Task CorruptXz_Fails()
    {
        var bytes = await File.ReadAllBytesAsync(Archive.Path);
        bytes[bytes.Length * 3 / 4] ^= 0xFF;
        var path = _temp.Combine("corrupt.tar.xz");
        await File.WriteAllBytesAsync(path, bytes);
        await AssertFailsAsync(path, LoadErrorKind.UnsafeArchive, "cannot decode the archive");
    }

    [RequiresToolFact("docker-registry")]
    public Task ExpansionPastLimit_Fails() =>
        AssertFailsAsync(Archive.Path, LoadErrorKind.UnsafeArchive, "expands to more than the limit of 195.3 KiB", maxExpanded: 200_000);

    [RequiresToolFact("docker-registry")]
    public async Task GnuLongNameBomb_RefusedAtItsHeader()
    {
        var path = _temp.Combine("longname.tar.xz");
        await TarBombs.WriteGnuLongNameAsync(path);
        Assert.True(new FileInfo(path).Length < 1 << 20);
        await AssertFailsAsync(path, LoadErrorKind.UnsafeArchive, "refusing a tar GNU long name of 1.0 GiB (at most 64.0 KiB of tar metadata per entry)");
    }

    [RequiresToolFact("docker-registry")]
    public async Task PaxHeaderBomb_RefusedAtItsHeader()
    {
        var path = _temp.Combine("pax.tar.xz");
        await TarBombs.WritePaxHeaderAsync(path);
        await AssertFailsAsync(path, LoadErrorKind.UnsafeArchive, "refusing a tar PAX extended header of 1.0 GiB");
    }

    [RequiresToolFact("docker-registry")]
    public async Task BlobOfTwoGiBFromSmallArchive_RefusedByTheAutomaticLimitBeforeSpooling()
    {
        var path = _temp.Combine("spool.tar.xz");
        await TarBombs.WriteOversizedBlobAsync(path, 2 * TarBombs.OneGiB);
        Assert.True(new FileInfo(path).Length < 1 << 20);
        await AssertFailsAsync(path, LoadErrorKind.UnsafeArchive, $"the archive expands to more than the limit of 1.0 GiB (at 'amd64/blobs/sha256/{new string('0', 64)}')");
    }

    [RequiresToolFact("docker-registry")]
    public async Task BlobPastAnExplicitLimit_StopsAtTheLimitAndLeavesNoSpool()
    {
        // Declared small enough to pass the header check, the guard's byte count stops it mid-entry.
        var path = _temp.Combine("spool-limit.tar.xz");
        await TarBombs.WriteOversizedBlobAsync(path, 8 << 20);
        await AssertFailsAsync(path, LoadErrorKind.UnsafeArchive, "the archive expands to more than the limit of 8.0 MiB", maxExpanded: (8 << 20) + 512);
    }

    [RequiresToolFact("docker-registry")]
    public Task ArchiveMissing_Fails() =>
        AssertFailsAsync(_temp.Combine("nope.tar.xz"), LoadErrorKind.Usage, "cannot read archive");

    [Fact]
    public async Task RegistryUnreachable_FailsWithRegistryError()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var deadPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var http = new HttpClient();
        var loader = new ArchiveLoader(new RegistryHttpSink(new RegistryClient(http, new Uri($"http://127.0.0.1:{deadPort}"))), null, null);
        var request = new LoadRequest { ArchivePath = Archive.Path, Architecture = Arch, Names = NameMapper.Create(null, "k8s-c10f1", null) };

        var e = await Assert.ThrowsAsync<LoadException>(() => loader.LoadAsync(request, CancellationToken.None));

        Assert.Equal(LoadErrorKind.Registry, e.Kind);
        Assert.Contains($"127.0.0.1:{deadPort}", e.Message, StringComparison.Ordinal);
    }

    private async Task AssertFailsAsync(string archive, LoadErrorKind kind, string message, string architecture = "amd64", long? maxExpanded = null)
    {
        var names = NameMapper.Create($"registry.local/{_prefix}/k8s-c10f1", "k8s-c10f1", null);
        var loader = new ArchiveLoader(new RegistryHttpSink(_registry.Client), null, null);
        var spool = _temp.Combine("spool");
        Directory.CreateDirectory(spool);
        var request = new LoadRequest
        {
            TemporaryRoot = spool,
            ArchivePath = archive,
            Architecture = architecture,
            Names = names,
            MaxExpandedBytes = maxExpanded,
        };
        var e = await Assert.ThrowsAsync<LoadException>(() => loader.LoadAsync(request, CancellationToken.None));
        Assert.Equal(kind, e.Kind);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(spool));

        var client = _registry.Client;
        foreach (var image in Archive.Images)
        {
            var repository = RepositoryName.Parse($"{_prefix}/{image.RefName[..image.RefName.LastIndexOf(':')]}");
            Assert.Empty(await client.ListTagsAsync(repository, CancellationToken.None).ToListAsync());
            Assert.Null(await client.GetManifestOrNullAsync(repository, image.ManifestDigest.ToString(), CancellationToken.None));
        }
    }

    private async Task<string> RewriteAsync(Func<TarEntry, TarEntry?> map)
    {
        var path = _temp.Combine($"{Guid.NewGuid():N}.tar.xz");
        await ArchiveMutator.RewriteAsync(Archive.Path, path, map);
        return path;
    }

    private async Task<string> AppendAsync(TarEntry entry)
    {
        var path = _temp.Combine($"{Guid.NewGuid():N}.tar.xz");
        await ArchiveMutator.RewriteAsync(Archive.Path, path, e => e, [entry]);
        return path;
    }

    /// <summary>One small generated archive shared by the error tests.</summary>
    public sealed class GeneratedFixture : IDisposable
    {
        private readonly TempDirectory _temp = new("u7s-loaderr-gen");

        public GeneratedFixture()
        {
            Archive = ArchiveGenerator.WriteAsync(_temp.Combine("k8s.tar.xz"), new GeneratorOptions { ImageCount = 3, Seed = 9, LayerBytes = 48 * 1024 }, CancellationToken.None)
                .GetAwaiter().GetResult();
        }

        internal GeneratedArchive Archive { get; }

        public void Dispose() => _temp.Dispose();
    }
}
