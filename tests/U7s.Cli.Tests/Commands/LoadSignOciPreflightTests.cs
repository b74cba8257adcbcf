using System.Text.Json;
using U7s.Loader.Generator;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// SPEC §1.5 row 13: what makes the signed images unusable is found before anything is pushed and
/// said once, in one line, however many images the archive holds. Every test loads a three-image
/// archive into the same running <c>u7s serve</c> and then checks that it is still empty: no
/// repository, not one upload byte.
/// </summary>
public sealed class LoadSignOciPreflightTests(LoadSignOciPreflightTests.EmptyRegistry registry) : IClassFixture<LoadSignOciPreflightTests.EmptyRegistry>
{
    [Theory]
    [InlineData("missing")]
    [InlineData("directory")]
    public async Task PolicyKeyFileUnreadable_RefusedOnceBeforeAnyPush(string kind)
    {
        var keyPath = kind == "missing" ? registry.Temp.Combine("no-such-key.gpg") : Directory.CreateDirectory(registry.Temp.Combine("a-directory")).FullName;

        var result = await registry.LoadAsync(SignedBy(keyPath));

        AssertRefusedOnce(result, ExitCodes.Refused, "u7s: the node policy would reject the signed images, nothing was pushed: cannot read the signedBy keys: ", "cannot read the signedBy keys");
        Assert.Contains(keyPath, result.Error, StringComparison.Ordinal);
        await registry.AssertEmptyAsync();
    }

    [Fact]
    public async Task PolicyTrustingAnotherKey_RefusedOnceBeforeAnyPush()
    {
        var result = await registry.LoadAsync(SignedBy(SampleKeys.PathOf("protected.pub.asc")));

        AssertRefusedOnce(result, ExitCodes.Refused, $"u7s: the node policy would reject the signed images, nothing was pushed: the signedBy keys of scope registry.local do not include the signer's key {SampleKeys.SignerFingerprint} (", "do not include");
        await registry.AssertEmptyAsync();
    }

    [Fact]
    public async Task PolicyRejectingTheRegistry_RefusedOnceBeforeAnyPush()
    {
        var result = await registry.LoadAsync("""{"default":[{"type":"reject"}]}""");

        AssertRefusedOnce(result, ExitCodes.Refused, "u7s: the node policy would reject the signed images, nothing was pushed: the policy rejects every image in scope default (registry.local/k8s-c10f1/kube-apiserver:v1.26.3 and 2 other images)", "rejects every image");
        await registry.AssertEmptyAsync();
    }

    [Fact]
    public async Task PolicyNotJson_RefusedBeforeAnyPush()
    {
        var result = await registry.LoadAsync("{ this is not json");

        AssertRefusedOnce(result, ExitCodes.InvalidInput, "u7s: invalid node policy ", "invalid node policy");
        await registry.AssertEmptyAsync();
    }

    [Fact]
    public async Task SignerKeyWithSigningSubkey_RefusedBeforeAnyPush()
    {
        // keys import refuses such a key; a file dropped into the key directory by hand is refused at load.
        var keys = Directory.CreateDirectory(registry.Temp.Combine("subkey-keys")).FullName;
        File.Copy(SampleKeys.PathOf("subkey.sec.asc"), Path.Combine(keys, $"{SampleKeys.SubkeyPrimaryFingerprint}.sec.asc"));

        var result = await registry.LoadAsync(SignedBy(SampleKeys.PathOf("subkey.pub.asc")), SampleKeys.SubkeyEmail, keys);

        AssertRefusedOnce(result, ExitCodes.Refused, $"u7s: signer key not usable: key {SampleKeys.SubkeyPrimaryFingerprint} has signing subkeys", "signing subkeys");
        await registry.AssertEmptyAsync();
    }

    [Fact]
    public async Task SignerKeyMissing_RefusedBeforeAnyPush()
    {
        var result = await registry.LoadAsync(SignedBy(SampleKeys.PathOf("signer.pub.asc")), "nobody@example.test");

        AssertRefusedOnce(result, ExitCodes.Refused, "u7s: signer key not usable: no signing key for 'nobody@example.test'", "no signing key");
        await registry.AssertEmptyAsync();
    }

    private static string SignedBy(string keyPath) =>
        "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"registry.local\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":" + JsonSerializer.Serialize(keyPath) + "}]}}}";

    private static void AssertRefusedOnce(CliResult result, int exitCode, string start, string cause)
    {
        Assert.True(result.ExitCode == exitCode, $"exit {result.ExitCode}: {result.Error}");
        Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith(start, result.Error, StringComparison.Ordinal);
        Assert.Equal(1, CountOf(result.Error, cause));
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, string.Empty, StringComparison.Ordinal).Length) / part.Length;

    /// <summary>A running <c>u7s serve</c> that no test may write to, the sample signer's key and a three-image archive.</summary>
    public sealed class EmptyRegistry : IAsyncLifetime
    {
        private U7sProcess? _server;

        public TempDirectory Temp { get; } = new("u7s-preflight");

        private string Archive => Temp.Combine("amd64.tar.xz");

        private string Keys => Temp.Combine("keys");

        public async Task InitializeAsync()
        {
            _server = await U7sProcess.StartAsync(Temp.Combine("data"), Temp.Combine("sigstore"));
            (await CliResult.RunAsync("keys", "import", SampleKeys.PathOf("signer.sec.asc"), "--key-dir", Keys)).Ensure();
            await ArchiveGenerator.WriteAsync(Archive, new GeneratorOptions { ImageCount = 3, Seed = 81 }, CancellationToken.None);
        }

        public async Task<CliResult> LoadAsync(string policy, string email = SampleKeys.SignerEmail, string? keys = null)
        {
            var policyPath = Temp.Combine($"policy-{Guid.NewGuid():N}.json");
            await File.WriteAllTextAsync(policyPath, policy);
            return await CliResult.RunAsync(
                "load-sign-oci", Archive, "amd64", email, "--registry", _server!.RegistryUrl.ToString(), "--key-dir", keys ?? Keys, "--sigstore-root", Temp.Combine("sigstore"), "--policy", policyPath);
        }

        public async Task AssertEmptyAsync()
        {
            using var http = new HttpClient { BaseAddress = _server!.RegistryUrl };
            using var catalog = JsonDocument.Parse(await http.GetStringAsync(new Uri("/v2/_catalog", UriKind.Relative)));
            Assert.Equal(0, catalog.RootElement.GetProperty("repositories").GetArrayLength());
            Assert.Contains("\nu7s_registry_bytes_received_total 0\n", await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
            Assert.False(Directory.Exists(Temp.Combine("sigstore", "sigstore")) && Directory.EnumerateFiles(Temp.Combine("sigstore", "sigstore"), "*", SearchOption.AllDirectories).Any());
        }

        public async Task DisposeAsync()
        {
            if (_server is not null)
            {
                await _server.DisposeAsync();
            }

            Temp.Dispose();
        }
    }
}
