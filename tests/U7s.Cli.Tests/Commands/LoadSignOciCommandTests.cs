using U7s.Cli.Tests.Support;
using U7s.Cli.Commands;
using U7s.Loader.Generator;
using U7s.Testing;
using U7s.Testing.Signing;

namespace U7s.Cli.Tests.Commands;

public sealed class LoadSignOciCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new("u7s-cli-load");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Parse_FourArgumentsAndOptions_NoErrors()
    {
        var root = CliApp.BuildRoot();
        var parse = root.Parse(["load-sign-oci", "a.tar.xz", "amd64", "me@example.test", "registry.local/test/k8s-c10f1", "--registry", "http://127.0.0.1:5000", "--yes", "--max-expanded-size", "2G"]);
        Assert.Empty(parse.Errors);
    }

    [Fact]
    public void Parse_TooFewArguments_Errors()
    {
        var parse = CliApp.BuildRoot().Parse(["load-sign-oci", "a.tar.xz", "amd64"]);
        Assert.NotEmpty(parse.Errors);
    }

    [Fact]
    public async Task Run_UnknownArchitecture_ExitsUsageWithOneLine()
    {
        var archive = _temp.Combine("a.tar.xz");
        await File.WriteAllBytesAsync(archive, [0xFD]);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["load-sign-oci", archive, "sparc", "me@example.test", "--registry", "http://127.0.0.1:9"], stdout, stderr, CancellationToken.None);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("u7s: unknown architecture 'sparc' (expected one of amd64, arm64, arm, ppc64le, 386)", stderr.ToString().Trim());
    }

    [Fact]
    public async Task Run_MissingArchive_ExitsUsage()
    {
        var (code, _, error) = await CommandHarness.RunAsync(LoadSignOciCommand.Create(LoaderServices.Default), _temp.Combine("none.tar.xz"), "amd64", "me@example.test", "--registry", "http://127.0.0.1:9");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("registry.local", "missing path after registry name")]
    [InlineData("registry/k8s-c10f1", "not a registry host name")]
    public async Task Run_InvalidTarget_ExitsUsage(string target, string message)
    {
        var archive = _temp.Combine("a.tar.xz");
        await File.WriteAllBytesAsync(archive, [0xFD]);
        var (code, _, error) = await CommandHarness.RunAsync(LoadSignOciCommand.Create(LoaderServices.Default), archive, "amd64", "me@example.test", target, "--registry", "http://127.0.0.1:9");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NoSignerServices_RefusesBeforePushing()
    {
        var archive = _temp.Combine("a.tar.xz");
        await File.WriteAllBytesAsync(archive, [0xFD]);
        var (code, _, error) = await CommandHarness.RunAsync(LoadSignOciCommand.Create(new LoaderServices()), archive, "amd64", "me@example.test", "--registry", "http://127.0.0.1:9");
        Assert.Equal(ExitCodes.Refused, code);
        Assert.StartsWith("u7s: signer key not usable", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MissingNodePolicy_RefusedBeforeReadingTheArchive()
    {
        var archive = _temp.Combine("a.tar.xz");
        await File.WriteAllBytesAsync(archive, [0xFD]);
        var (code, _, error) = await CommandHarness.RunAsync(
            LoadSignOciCommand.Create(LoaderServices.Default), archive, "amd64", "me@example.test", "--registry", "http://127.0.0.1:9", "--key-dir", _temp.Combine("keys"), "--policy", _temp.Combine("none.json"));
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.StartsWith("u7s: cannot read the node policy", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_RegistryDoesNotAnswer_ReportedBeforeReadingTheArchive()
    {
        // Not an xz file: read first, it would be reported as invalid input (exit 3).
        var archive = _temp.Combine("a.tar.xz");
        await File.WriteAllBytesAsync(archive, [0xFD]);
        var policy = _temp.Combine("policy.json");
        await File.WriteAllTextAsync(policy, """{"default":[{"type":"insecureAcceptAnything"}]}""");
        var (code, _, error) = await CommandHarness.RunAsync(
            LoadSignOciCommand.Create(LoaderServices.Default), archive, "amd64", "me@example.test", "--registry", "http://127.0.0.1:9", "--key-dir", _temp.Combine("keys"), "--policy", policy);
        Assert.Equal(ExitCodes.Unavailable, code);
        Assert.StartsWith("u7s: the registry http://127.0.0.1:9/ does not answer: GET http://127.0.0.1:9/v2/", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_DefaultRegistry_ChecksHostsBeforeAnythingElse()
    {
        var archive = _temp.Combine("a.tar.xz");
        await File.WriteAllBytesAsync(archive, [0xFD]);
        var expected = await U7s.Loader.Preflight.HostCheck.ProblemOrNullAsync("registry.local", CancellationToken.None)
            ?? await U7s.Loader.Preflight.HostCheck.ProblemOrNullAsync("sigstore.local", CancellationToken.None)
            ?? "signer key not usable";

        var (code, _, error) = await CommandHarness.RunAsync(LoadSignOciCommand.Create(new LoaderServices()), archive, "amd64", "me@example.test");

        Assert.Equal(ExitCodes.Refused, code);
        Assert.StartsWith("u7s: " + expected, error, StringComparison.Ordinal);
    }

    [RequiresToolFact("docker-registry", "skopeo", "gpg")]
    public async Task Run_GeneratedArchive_LoadsSignsVerifiesAndPrintsSummary()
    {
        using var registry = new DockerRegistry();
        using var keyring = await GpgKeyring.CreateAsync();
        registry.EnsureStarted();
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("amd64.tar.xz"), new GeneratorOptions { ImageCount = 2, Seed = 41 }, CancellationToken.None);
        var lookaside = _temp.Combine("www");
        var services = new LoaderServices
        {
            Signer = settings => new GpgImageSigner(keyring, lookaside, settings.Email),
            Verifier = _ => new SkopeoImageJudge(registry.HostPort, keyring.PublicKeyPath, lookaside, _temp.Path),
        };

        var (code, output, error) = await CommandHarness.RunAsync(
            LoadSignOciCommand.Create(services), archive.Path, "amd64", keyring.Email, "--registry", registry.BaseUri.ToString());

        Assert.True(code == ExitCodes.Success, error + output);
        foreach (var image in archive.Images)
        {
            Assert.Contains(image.ManifestDigest.ToString(), output, StringComparison.Ordinal);
            Assert.Contains($"registry.local/{image.RefName}", output, StringComparison.Ordinal);
        }

        Assert.Contains("signature-1", output, StringComparison.Ordinal);
        Assert.Contains("reading: 100% of", output, StringComparison.Ordinal);
        Assert.DoesNotContain("NOT VERIFIED", output, StringComparison.Ordinal);
        Assert.Contains($"{archive.Images.Count} images", output, StringComparison.Ordinal);
    }

    [RequiresToolFact("docker-registry", "gpg")]
    public async Task Run_CorruptArchive_ExitsInvalidInput()
    {
        using var registry = new DockerRegistry();
        using var keyring = await GpgKeyring.CreateAsync();
        var archive = await ArchiveGenerator.WriteAsync(_temp.Combine("amd64.tar.xz"), new GeneratorOptions { ImageCount = 1, Seed = 42 }, CancellationToken.None);
        var bytes = await File.ReadAllBytesAsync(archive.Path);
        await File.WriteAllBytesAsync(archive.Path, bytes[..(bytes.Length / 2)]);
        registry.EnsureStarted();
        var services = new LoaderServices
        {
            Signer = settings => new GpgImageSigner(keyring, _temp.Combine("www"), settings.Email),
            Verifier = _ => new SkopeoImageJudge(registry.HostPort, keyring.PublicKeyPath, _temp.Combine("www"), _temp.Path),
        };

        var (code, _, error) = await CommandHarness.RunAsync(
            LoadSignOciCommand.Create(services), archive.Path, "amd64", keyring.Email, "--registry", registry.BaseUri.ToString());

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("truncated xz data", error, StringComparison.Ordinal);
    }
}
