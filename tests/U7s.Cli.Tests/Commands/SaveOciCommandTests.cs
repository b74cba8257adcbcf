using U7s.Cli.Tests.Support;
using U7s.Cli.Commands;
using U7s.Loader.Generator;
using U7s.Loader.Loading;
using U7s.Loader.Names;
using U7s.Loader.Registry;
using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

public sealed class SaveOciCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new("u7s-cli-save");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Run_UnknownArchitecture_ExitsUsage()
    {
        var (code, _, error) = await CommandHarness.RunAsync(SaveOciCommand.Create(), _temp.Combine("out"), "amd64,sparc", "registry.local/a/b:1");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("unknown architecture in 'amd64,sparc'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ImageWithoutTag_ExitsUsage()
    {
        var (code, _, error) = await CommandHarness.RunAsync(SaveOciCommand.Create(), _temp.Combine("out"), "amd64", "registry.local/a/b");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("invalid image 'registry.local/a/b'", error, StringComparison.Ordinal);
    }

    [RequiresToolFact("docker-registry")]
    public async Task Run_FromRegistry_WritesArchiveAndRefusesExistingOutput()
    {
        using var registry = new DockerRegistry();
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("gen.tar.xz"), new GeneratorOptions { ImageCount = 3, Seed = 43 }, CancellationToken.None);
        var loader = new ArchiveLoader(new RegistryHttpSink(new RegistryClient(registry.Http, registry.BaseUri)), null, null);
        await loader.LoadAsync(new LoadRequest { ArchivePath = archive.Path, Architecture = "amd64", Names = NameMapper.Create(null, "k8s-c10f1", null) }, CancellationToken.None);
        var output = _temp.Combine("saved.tar.xz");
        string[] args = [output, "amd64", "registry.local/k8s-c10f1/kube-apiserver:v1.26.3", "registry.local/k8s-c10f1/kube-scheduler:v1.26.3", "--registry", registry.BaseUri.ToString()];

        var (code, stdout, error) = await CommandHarness.RunAsync(SaveOciCommand.Create(), args);

        Assert.True(code == ExitCodes.Success, error);
        Assert.True(File.Exists(output));
        Assert.Contains(archive.Images[0].ManifestDigest.ToString(), stdout, StringComparison.Ordinal);
        Assert.Contains("k8s-c10f1/kube-scheduler:v1.26.3", stdout, StringComparison.Ordinal);
        var again = await CommandHarness.RunAsync(SaveOciCommand.Create(), args);
        Assert.Equal(ExitCodes.Usage, again.ExitCode);
        Assert.Contains("already exists", again.Stderr, StringComparison.Ordinal);
    }

    [RequiresToolFact("docker-registry")]
    public async Task Run_MissingImage_ExitsUnavailableAndWritesNothing()
    {
        using var registry = new DockerRegistry();
        registry.EnsureStarted();
        var output = _temp.Combine("out");
        var (code, _, error) = await CommandHarness.RunAsync(SaveOciCommand.Create(), output, "all", "registry.local/none/here:1", "--registry", registry.BaseUri.ToString());
        Assert.Equal(ExitCodes.Unavailable, code);
        Assert.Contains("not found", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }
}
