using System.Security.Cryptography;
using System.Text;
using U7s.Loader.Saving;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// <c>save-oci --kubernetes</c> against real registries playing registry.k8s.io and docker.io (token auth, reached
/// through counting mirrors): the archive of a release, loaded and signed into a real <c>u7s serve</c> and pulled by
/// skopeo under a node policy; an interrupted run resumed without fetching a finished blob again; an image missing
/// upstream, an unknown release and a mirror that serves a wrong blob, each one line and no archive; a mirror's login
/// looked up for the mirror's host.
/// </summary>
public sealed class SaveOciUpstreamTests(UpstreamRegistriesFixture upstream) : IClassFixture<UpstreamRegistriesFixture>, IDisposable
{
    private readonly TempDirectory _temp = new("u7s-save-upstream");

    public void Dispose() => _temp.Dispose();

    [RequiresToolFact("docker-registry", "skopeo")]
    public async Task Kubernetes_FromMirrors_TwoArchitectures_LoadsSignsAndPullsUnderTheNodePolicy()
    {
        upstream.Reset();
        var output = _temp.Combine("k8s.tar.xz");

        var saved = await SaveAsync(output, "--arch", "amd64,arm64");

        Assert.True(saved.ExitCode == ExitCodes.Success, saved.Error);
        Assert.Equal(9, upstream.Configs.Count);
        var rows = saved.Output.Split('\n').Select(l => l.Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Where(c => c.Length == 4).ToList();
        string ArchiveDigest(string arch, string refName) => rows.Single(r => r[0] == arch && r[1] == refName)[2];

        // Each architecture's image from the upstream index (its config in that architecture's folder, and only there),
        // its layers decompressed, under the platform's name.
        var extracted = _temp.Combine("extracted");
        Directory.CreateDirectory(extracted);
        (await ExternalProcess.RunAsync("tar", ["-xJf", output, "-C", extracted])).EnsureSuccess("tar -xJf");
        foreach (var (refName, configs) in upstream.Configs)
        {
            Assert.NotEqual(ArchiveDigest("amd64", refName), ArchiveDigest("arm64", refName));
            Assert.True(File.Exists(Path.Combine(extracted, "amd64", "blobs", "sha256", configs.Amd64[7..])), refName);
            Assert.False(File.Exists(Path.Combine(extracted, "amd64", "blobs", "sha256", configs.Arm64[7..])), refName);
            Assert.True(File.Exists(Path.Combine(extracted, "arm64", "blobs", "sha256", configs.Arm64[7..])), refName);
            Assert.Contains($"\"org.opencontainers.image.ref.name\":\"{refName}\"", File.ReadAllText(Path.Combine(extracted, "arm64", "index.json")), StringComparison.Ordinal);
        }

        Assert.Contains("k8s-c10f1/coredns:v1.10.1", saved.Output, StringComparison.Ordinal);
        Assert.Contains("downloaded 18 layers", saved.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(SaveRequest.DefaultCacheDirectory(output)), "the download cache goes once the archive is complete");
        Assert.NotEmpty(upstream.K8sIssuer.Requests);
        Assert.All(upstream.K8sIssuer.Requests, r => Assert.Null(r.Authorization));

        // Load and sign the amd64 half into a running u7s; a node pulls with the signedBy policy.
        var keys = _temp.Combine("keys");
        (await CliResult.RunAsync("keys", "import", SampleKeys.PathOf("signer.sec.asc"), "--key-dir", keys)).Ensure();
        var sigstore = _temp.Combine("sigstore");
        Directory.CreateDirectory(Path.Combine(sigstore, "sigstore"));
        await using var server = await U7sProcess.StartAsync(_temp.Combine("data"), sigstore);
        var policy = _temp.Combine("load-policy.json");
        await File.WriteAllTextAsync(policy,
            "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"registry.local\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"" + SampleKeys.PathOf("signer.pub.asc") + "\"}]}}}");
        (await CliResult.RunAsync("load-sign-oci", output, "amd64", SampleKeys.SignerEmail, "--registry", server.RegistryUrl.ToString(), "--key-dir", keys, "--sigstore-root", sigstore, "--policy", policy)).Ensure();

        using var tools = new ContainerTools();
        var node = LoadSignOciEndToEndTests.NodeConfiguration(tools, server, SampleKeys.PathOf("signer.pub.asc"));
        foreach (var refName in new[] { "k8s-c10f1/pause:3.9", "k8s-c10f1/coredns:v1.10.1", "k8s-c10f1/flannel:v0.21.4" })
        {
            var pulled = await LoadSignOciEndToEndTests.PullAsync(tools, node, server, refName);
            Assert.True(pulled.ExitCode == 0, pulled.StandardError);
            var digest = (await ExternalProcess.RunAsync("skopeo", ["manifest-digest", pulled.StandardOutput])).EnsureSuccess("skopeo manifest-digest").StandardOutput.Trim();
            Assert.Equal(ArchiveDigest("amd64", refName), digest);
        }

        // An image nobody signed is refused by the same node.
        var unsigned = tools.NewDirectory("layout");
        TestImageLayout.Write(unsigned, "img", "unsigned");
        (await tools.SkopeoAsync("--policy", tools.AnyPolicy, "copy", "-q", "--dest-tls-verify=false", $"oci:{unsigned}:img", $"docker://{server.RegistryUrl.Authority}/k8s-c10f1/unsigned:1")).EnsureSuccess("skopeo copy");
        var refused = await LoadSignOciEndToEndTests.PullAsync(tools, node, server, "k8s-c10f1/unsigned:1");
        Assert.NotEqual(0, refused.ExitCode);
    }

    [RequiresToolFact("docker-registry", "skopeo")]
    public async Task Kubernetes_InterruptedDownload_NextRunFetchesNoFinishedBlobAgain()
    {
        upstream.Reset();
        var output = _temp.Combine("k8s.tar.xz");
        var cache = SaveRequest.DefaultCacheDirectory(output);
        // The plugin's config is read first; its layer, fetched after every registry.k8s.io layer, breaks off halfway.
        upstream.Docker.Cut = LayerOf("flannel-cni-plugin");

        var first = await SaveAsync(output);

        Assert.Equal(ExitCodes.Unavailable, first.ExitCode);
        Assert.Single(first.Error.TrimEnd('\n').Split('\n'));
        Assert.Contains("the download broke off", first.Error, StringComparison.Ordinal);
        Assert.Contains($"downloaded blobs kept in {cache}: run again to resume", first.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.EnumerateFiles(_temp.Path, "*.tmp", SearchOption.AllDirectories));
        var finished = Directory.EnumerateFiles(cache, "*", SearchOption.AllDirectories).Select(f => $"sha256:{Path.GetFileName(f)}").ToHashSet();
        Assert.DoesNotContain(finished, f => f.Contains(".part", StringComparison.Ordinal));
        var k8sFetched = upstream.K8s.BlobGets.ToHashSet();
        Assert.Equal(14, k8sFetched.Count);
        Assert.Subset(finished, k8sFetched);

        upstream.Reset();
        var second = await SaveAsync(output);

        Assert.True(second.ExitCode == ExitCodes.Success, second.Error);
        Assert.Empty(upstream.K8s.BlobGets);
        Assert.DoesNotContain(upstream.Docker.BlobGets, finished.Contains);
        Assert.Contains("downloaded 1 layers", second.Output, StringComparison.Ordinal);
        Assert.Contains("8 layers were already downloaded by an earlier run", second.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(output));
        Assert.False(Directory.Exists(cache));
    }

    [RequiresToolFact("docker-registry", "skopeo")]
    public async Task Kubernetes_DamagedCacheEntry_IsDownloadedAgain()
    {
        upstream.Reset();
        var output = _temp.Combine("k8s.tar.xz");
        var cache = SaveRequest.DefaultCacheDirectory(output);
        upstream.Docker.Cut = LayerOf("flannel-cni-plugin");
        Assert.Equal(ExitCodes.Unavailable, (await SaveAsync(output)).ExitCode);
        var damaged = Directory.EnumerateFiles(cache, "*", SearchOption.AllDirectories).First();
        await File.AppendAllTextAsync(damaged, "x");

        upstream.Reset();
        var second = await SaveAsync(output);

        Assert.True(second.ExitCode == ExitCodes.Success, second.Error);
        var all = upstream.K8s.BlobGets.Concat(upstream.Docker.BlobGets).ToList();
        Assert.Contains($"sha256:{Path.GetFileName(damaged)}", all);
    }

    [RequiresToolFact("docker-registry", "skopeo")]
    public async Task Kubernetes_ImageMissingUpstream_OneLineNoArchiveNoLayerFetched()
    {
        upstream.Reset();
        var output = _temp.Combine("k8s.tar.xz");

        // v1.27.15 shares pause, etcd and CoreDNS with v1.27.16, but its control-plane images were never published here.
        var result = await SaveAsync(output, "--kubernetes", "v1.27.15");

        Assert.Equal(ExitCodes.Unavailable, result.ExitCode);
        Assert.Equal($"u7s: image 'registry.k8s.io/kube-apiserver:v1.27.15' not found in {upstream.K8s.BaseAddress.GetLeftPart(UriPartial.Authority)}", result.Error.TrimEnd('\n'));
        Assert.False(File.Exists(output));
        Assert.Empty(upstream.K8s.BlobGets);
    }

    [Theory]
    [InlineData("v1.27.17", "unknown Kubernetes release 'v1.27.17' (did you mean v1.27.16?); known: v1.24.0-v1.24.17, ")]
    [InlineData("v2.0.0", "unknown Kubernetes release 'v2.0.0'; known: v1.24.0-v1.24.17, ")]
    [InlineData("latest", "unknown Kubernetes release 'latest'; known: ")]
    public async Task Kubernetes_UnknownRelease_OneLineListingTheKnownOnes(string version, string expected)
    {
        var output = _temp.Combine("k8s.tar.xz");

        var result = await CliResult.RunAsync("save-oci", output, "--kubernetes", version);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.Contains("v1.30.0-v1.30.6", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData("registry.k8s.io", "invalid --mirror 'registry.k8s.io'")]
    [InlineData("registry.k8s.io=ftp://127.0.0.1:1", "invalid --mirror")]
    [InlineData("registry.k8s.io=http://127.0.0.1:1/prefix", "invalid --mirror")]
    public async Task Kubernetes_BadMirror_Usage(string mirror, string expected)
    {
        var result = await CliResult.RunAsync("save-oci", _temp.Combine("k8s.tar.xz"), "--kubernetes", UpstreamRegistriesFixture.Version, "--mirror", mirror);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("amd64")]
    [InlineData("--registry", "http://127.0.0.1:1")]
    public async Task Kubernetes_WithListedImagesOrRegistry_Usage(params string[] extra)
    {
        var result = await CliResult.RunAsync(["save-oci", _temp.Combine("k8s.tar.xz"), "--kubernetes", UpstreamRegistriesFixture.Version, .. extra]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--kubernetes takes its images from upstream", result.Error, StringComparison.Ordinal);
    }

    [RequiresToolFact("docker-registry", "skopeo")]
    public async Task Kubernetes_CacheDirOption_KeepsWhatElseIsInIt()
    {
        upstream.Reset();
        var cache = _temp.Combine("downloads");
        Directory.CreateDirectory(cache);
        await File.WriteAllTextAsync(Path.Combine(cache, "notes.txt"), "mine");
        var output = _temp.Combine("k8s.tar.xz");

        var saved = await SaveAsync(output, "--cache-dir", cache);

        Assert.True(saved.ExitCode == ExitCodes.Success, saved.Error);
        Assert.Equal("mine", await File.ReadAllTextAsync(Path.Combine(cache, "notes.txt")));
        Assert.Equal([Path.Combine(cache, "notes.txt")], Directory.EnumerateFileSystemEntries(cache));
        Assert.False(Directory.Exists(SaveRequest.DefaultCacheDirectory(output)));
    }

    [RequiresToolFact("docker-registry", "skopeo")]
    public async Task Kubernetes_MirrorServesAWrongLayer_RefusedNothingWrittenNothingCached()
    {
        upstream.Reset();
        var output = _temp.Combine("k8s.tar.xz");
        var cache = SaveRequest.DefaultCacheDirectory(output);
        // etcd's config is read first and served faithfully; its layer arrives with one byte flipped.
        upstream.K8s.Corrupt = LayerOf("etcd");

        var result = await SaveAsync(output);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("run again", result.Error, StringComparison.Ordinal);
        Assert.Matches("layer sha256:[0-9a-f]{64} of registry.k8s.io/etcd:3.5.12-0: content has digest sha256:[0-9a-f]{64}, not sha256:", result.Error);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.EnumerateFiles(_temp.Path, "*.tmp", SearchOption.AllDirectories));
        foreach (var file in Directory.Exists(cache) ? Directory.EnumerateFiles(cache, "*", SearchOption.AllDirectories) : [])
        {
            // Whatever the cache kept is what its name says.
            Assert.Equal(Path.GetFileName(file), Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(file))));
        }
    }

    [RequiresToolFact("docker-registry", "skopeo")]
    public async Task Kubernetes_MirrorAnswersAManifestDigestWithAnotherManifest_Refused()
    {
        upstream.Reset();
        var output = _temp.Combine("k8s.tar.xz");
        // kube-apiserver is read first; its amd64 manifest, a valid amd64 image, is then served for pause's amd64 digest.
        byte[]? apiserver = null;
        upstream.K8s.Manifest = (path, body) =>
        {
            if (path.Contains("/kube-apiserver/manifests/sha256:", StringComparison.Ordinal))
            {
                apiserver = body;
            }

            return path.Contains("/pause/manifests/sha256:", StringComparison.Ordinal) && apiserver is not null ? apiserver : body;
        };

        var result = await SaveAsync(output);

        Assert.NotNull(apiserver);
        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
        Assert.Matches("manifest sha256:[0-9a-f]{64} of 'registry.k8s.io/pause:3.9' was served with digest sha256:[0-9a-f]{64}; refused", result.Error);
        Assert.False(File.Exists(output));
    }

    [RequiresToolFact("docker-registry", "skopeo")]
    public async Task Kubernetes_MirrorsFromRegistriesConf_ArchiveBuilt()
    {
        upstream.Reset();
        var conf = _temp.Combine("registries.conf");
        await File.WriteAllTextAsync(conf, $"""
            unqualified-search-registries = ["docker.io"]
            [[registry]]
            location = "registry.k8s.io"
            [[registry.mirror]]
            location = "{upstream.K8s.BaseAddress.Authority}"
            insecure = true
            [[registry]]
            prefix = "docker.io"
            location = "{upstream.Docker.BaseAddress.Authority}"
            insecure = true
            """);
        var output = _temp.Combine("k8s.tar.xz");

        var saved = await CliResult.RunAsync("save-oci", output, "--kubernetes", UpstreamRegistriesFixture.Version, "--registries-conf", conf, "--authfile", upstream.EmptyAuthFile);

        Assert.True(saved.ExitCode == ExitCodes.Success, saved.Error);
        // A config and a layer for each image, each from the mirror its registry's entry names.
        Assert.Equal(14, upstream.K8s.BlobGets.Distinct().Count());
        Assert.Equal(4, upstream.Docker.BlobGets.Distinct().Count());
        Assert.True(File.Exists(output));
    }

    [RequiresToolFact("docker-registry", "skopeo")]
    public async Task Kubernetes_MirrorWantsALogin_TheAuthFileEntryOfTheMirrorHostIsUsed()
    {
        upstream.Reset();
        upstream.K8sIssuer.AnonymousPull = false;
        var mirrorHost = upstream.K8s.BaseAddress.Authority;
        var authFile = _temp.Combine("auth.json");
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{UpstreamRegistriesFixture.Pusher}:{UpstreamRegistriesFixture.Password}"));
        await File.WriteAllTextAsync(authFile, $"{{\"auths\":{{\"{mirrorHost}\":{{\"auth\":\"{basic}\"}}}}}}");
        try
        {
            var anonymous = await SaveAsync(_temp.Combine("anonymous.tar.xz"));
            Assert.Equal(ExitCodes.Unavailable, anonymous.ExitCode);
            Assert.Contains("refused an anonymous token (401): give a login", anonymous.Error, StringComparison.Ordinal);

            upstream.K8sIssuer.Requests.Clear();
            var saved = await CliResult.RunAsync(["save-oci", _temp.Combine("k8s.tar.xz"), "--kubernetes", UpstreamRegistriesFixture.Version, .. upstream.MirrorArgs, "--authfile", authFile]);

            Assert.True(saved.ExitCode == ExitCodes.Success, saved.Error);
            Assert.NotEmpty(upstream.K8sIssuer.Requests);
            Assert.All(upstream.K8sIssuer.Requests, r => Assert.Equal($"Basic {basic}", r.Authorization));
        }
        finally
        {
            upstream.K8sIssuer.AnonymousPull = true;
        }
    }

    /// <summary>The blob downloads of <paramref name="repository"/>'s one-layer image after the first: its config is read first, then its layer.</summary>
    private static Func<string, bool> LayerOf(string repository)
    {
        var seen = 0;
        return path => path.Contains($"/{repository}/blobs/", StringComparison.Ordinal) && Interlocked.Increment(ref seen) > 1;
    }

    private Task<CliResult> SaveAsync(string output, params string[] extra) =>
        CliResult.RunAsync(["save-oci", output, .. extra.Contains("--kubernetes") ? [] : new[] { "--kubernetes", UpstreamRegistriesFixture.Version }, .. upstream.MirrorArgs, "--authfile", upstream.EmptyAuthFile, .. extra]);
}
