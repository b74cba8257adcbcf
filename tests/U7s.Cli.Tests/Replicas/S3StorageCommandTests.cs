using System.Net;
using System.Security.Cryptography;
using U7s.Oci;
using U7s.Cli.Tests.Support;
using U7s.S3.Registry;
using U7s.Testing;

namespace U7s.Cli.Tests.Replicas;

/// <summary><c>u7s serve</c> and <c>u7s gc</c> configured with <c>storage: s3</c>, against the real radosgw.</summary>
public sealed class S3StorageCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new("u7s-s3-cli");

    [RequiresS3Fact]
    public async Task Gc_OnS3_FreesOrphans_KeepsImages_WhileAReplicaServes()
    {
        await using var s3 = await S3TestStore.CreateAsync();
        await using var server = await U7sProcess.StartAsync(_dir.Combine("data"), _dir.Combine("sig"), s3.ServeEnvironment);
        using var client = new HttpClient { BaseAddress = server.RegistryUrl };
        var image = await SmallImage.PushAsync(client, "gc/app", "v1", layerSize: 3000);
        var (layer, manifest) = (image.Layer, image.Manifest);
        var orphan = RandomNumberGenerator.GetBytes(7000);
        await SmallImage.PushBlobAsync(client, "gc/app", orphan);

        // Aged as a blob unused for two hours is: its last use moved back through the store itself.
        var twoHoursAgo = new ManualTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromHours(2));
        await new S3BlobStore(s3.Bucket, s3.Options, twoHoursAgo).TouchAsync(Digest.Compute(orphan), default);

        var configFile = WriteConfig(s3.Options.Endpoint!, s3.Options.Bucket, s3.Options.Prefix);
        var (dryCode, dryOut, dryErr) = await RunAsync("gc", "--config", configFile, "--grace", "00:10:00", "--dry-run");
        Assert.True(dryCode == 0, dryErr);
        Assert.Contains($"would delete blob {Digest.Compute(orphan)} (7000 bytes)", dryOut, StringComparison.Ordinal);
        Assert.NotNull(await s3.Bucket.HeadOrNullAsync($"registry/blobs/sha256/{Digest.Compute(orphan).Hex}", default));

        var (code, output, error) = await RunAsync("gc", "--config", configFile, "--grace", "00:10:00");
        Assert.True(code == 0, error);
        Assert.Contains($"deleted blob {Digest.Compute(orphan)}", output, StringComparison.Ordinal);
        Assert.Contains("1 live manifests", output, StringComparison.Ordinal);
        Assert.Null(await s3.Bucket.HeadOrNullAsync($"registry/blobs/sha256/{Digest.Compute(orphan).Hex}", default));
        using var gone = await client.GetAsync($"/v2/gc/app/blobs/{Digest.Compute(orphan)}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(layer, await client.GetByteArrayAsync($"/v2/gc/app/blobs/{Digest.Compute(layer)}"));
        Assert.Equal(manifest, await client.GetStringAsync("/v2/gc/app/manifests/v1"));

        // Nothing of the registry went to the local data root: a second replica with an empty one sees it all.
        Assert.False(Directory.Exists(_dir.Combine("data", "blobs")));
        await using var other = await U7sProcess.StartAsync(_dir.Combine("data2"), _dir.Combine("sig2"), s3.ServeEnvironment);
        using var otherClient = new HttpClient { BaseAddress = other.RegistryUrl };
        Assert.Equal(manifest, await otherClient.GetStringAsync("/v2/gc/app/manifests/v1"));
    }

    [RequiresS3Fact]
    public async Task KeysSignVerify_WithS3SigstoreRoot_WriteWhereEveryReplicaReads()
    {
        await using var s3 = await S3TestStore.CreateAsync();
        await using var first = await U7sProcess.StartAsync(_dir.Combine("data1"), _dir.Combine("sig1"), s3.ServeEnvironment);
        await using var second = await U7sProcess.StartAsync(_dir.Combine("data2"), _dir.Combine("sig2"), s3.ServeEnvironment);
        using var client = new HttpClient { BaseAddress = first.RegistryUrl };
        var manifest = (await SmallImage.PushAsync(client, "app/signed", "1")).Digest;
        var root = $"s3://{s3.Options.Bucket}/{s3.Options.Prefix}";
        var keyDir = _dir.Combine("keys");
        var image = $"{first.RegistryUrl.Authority}/app/signed:1";

        var import = await CliAsync("keys", "import", SampleKeys.PathOf("signer.sec.asc"), "--key-dir", keyDir, "--publish", "--sigstore-root", root, "--user", "imagemaker");
        Assert.True(import.ExitCode == 0, import.StandardError);
        Assert.Contains($"published {root}keys/imagemaker.pgp", import.StandardOutput, StringComparison.Ordinal);
        var sign = await CliAsync("sign", image, "--key", SampleKeys.SignerEmail, "--key-dir", keyDir, "--sigstore-root", root, "--registry-url", first.RegistryUrl.ToString());
        Assert.True(sign.ExitCode == 0, sign.StandardError);
        Assert.Contains($"signature-1 written {root}sigstore/app/signed@sha256={manifest.Hex}/signature-1", sign.StandardOutput, StringComparison.Ordinal);

        // The other replica serves both, as nodes read them.
        using var store = new HttpClient { BaseAddress = second.SigstoreUrl };
        Assert.StartsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----", await store.GetStringAsync("/keys/imagemaker.pgp"), StringComparison.Ordinal);
        using (var signature = await store.GetAsync($"/sigstore/app/signed@sha256={manifest.Hex}/signature-1"))
        {
            Assert.Equal(HttpStatusCode.OK, signature.StatusCode);
        }

        var verify = await CliAsync("verify", image, "--sigstore-root", root, "--registry-url", second.RegistryUrl.ToString(), "--keyring", SampleKeys.PathOf("signer.pub.asc"));
        Assert.True(verify.ExitCode == 0, verify.StandardOutput + verify.StandardError);
        Assert.Contains(SampleKeys.SignerFingerprint, verify.StandardOutput, StringComparison.Ordinal);

        var unsigned = (await SmallImage.PushAsync(client, "app/unsigned", "1")).Digest;
        var refused = await CliAsync("verify", $"{first.RegistryUrl.Authority}/app/unsigned:1", "--sigstore-root", root, "--registry-url", second.RegistryUrl.ToString(), "--keyring", SampleKeys.PathOf("signer.pub.asc"));
        Assert.NotEqual(0, refused.ExitCode);
        Assert.NotEqual(manifest, unsigned);

        var malformed = await CliAsync("sign", image, "--key", SampleKeys.SignerEmail, "--key-dir", keyDir, "--sigstore-root", "s3://Not_A_Bucket/", "--registry-url", first.RegistryUrl.ToString());
        Assert.Equal(ExitCodes.Usage, malformed.ExitCode);
        Assert.Contains("not a valid bucket name", malformed.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_UnreachableS3_OneLineError_Unavailable()
    {
        var port = FreeTcpPort.Next();
        var environment = new Dictionary<string, string>
        {
            ["U7S_STORAGE"] = "s3",
            ["U7S_S3__ENDPOINT"] = $"http://127.0.0.1:{port}",
            ["U7S_S3__BUCKET"] = "u7s",
            ["AWS_ACCESS_KEY_ID"] = "none",
            ["AWS_SECRET_ACCESS_KEY"] = "none",
        };
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => U7sProcess.StartAsync(_dir.Combine("data"), _dir.Combine("sig"), environment));
        Assert.Contains($"exited {ExitCodes.Unavailable}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"u7s: cannot reach s3://u7s/ at http://127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gc_UnreachableS3_OneLineError_Unavailable()
    {
        // A child process with keys of its own: the store is unreachable, not the credentials missing.
        var configFile = WriteConfig($"http://127.0.0.1:{FreeTcpPort.Next()}", "u7s", string.Empty);
        var result = await U7sProcess.RunAsync(["gc", "--config", configFile], new Dictionary<string, string?> { ["AWS_ACCESS_KEY_ID"] = "u7s-test", ["AWS_SECRET_ACCESS_KEY"] = "u7s-test" });
        Assert.Equal(ExitCodes.Unavailable, result.ExitCode);
        Assert.StartsWith("u7s: cannot reach s3://u7s/", result.StandardError, StringComparison.Ordinal);
        Assert.Single(result.StandardError.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Gc_NoCredentials_SaysWhichVariablesToSet_WithoutAskingAnInstanceMetadataService()
    {
        // The metadata service is played by a listener here; by default U7s must never connect to it.
        using var metadata = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        metadata.Start();
        var result = await RunWithoutCredentialsAsync(metadata, metadataDisabled: null);
        Assert.Equal(ExitCodes.Unavailable, result.ExitCode);
        Assert.StartsWith("u7s: no credentials for s3://u7s/", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("AWS_ACCESS_KEY_ID", result.StandardError, StringComparison.Ordinal);
        Assert.Single(result.StandardError.TrimEnd('\n').Split('\n'));
        Assert.False(metadata.Pending(), "u7s asked the instance metadata service");

        // An admin who sets the SDK's own switch to false gets the SDK's lookup back (and this test's listener sees it).
        await RunWithoutCredentialsAsync(metadata, metadataDisabled: "false");
        Assert.True(metadata.Pending(), "the opt-in did not reach the metadata service");
    }

    private Task<ProcessResult> RunWithoutCredentialsAsync(System.Net.Sockets.TcpListener metadata, string? metadataDisabled)
    {
        var configFile = WriteConfig($"http://127.0.0.1:{FreeTcpPort.Next()}", "u7s", string.Empty);
        return U7sProcess.RunAsync(
            ["gc", "--config", configFile],
            new Dictionary<string, string?>
            {
                ["AWS_ACCESS_KEY_ID"] = null,
                ["AWS_SECRET_ACCESS_KEY"] = null,
                ["AWS_SESSION_TOKEN"] = null,
                ["AWS_PROFILE"] = null,
                ["AWS_SHARED_CREDENTIALS_FILE"] = _dir.Combine("no-such-credentials"),
                ["AWS_CONFIG_FILE"] = _dir.Combine("no-such-config"),
                ["AWS_EC2_METADATA_DISABLED"] = metadataDisabled,
                ["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = $"http://{metadata.LocalEndpoint}/",
            });
    }

    public void Dispose() => _dir.Dispose();

    private string WriteConfig(string endpoint, string bucket, string prefix)
    {
        var path = _dir.Combine($"u7s-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, $"storage: s3\ns3:\n  endpoint: {endpoint}\n  bucket: {bucket}\n  prefix: \"{prefix}\"\nregistry:\n  dataRoot: {_dir.Combine("gc-data")}\n");
        return path;
    }

    /// <summary>The real u7s executable as a child, pointed at the test radosgw the way an admin's shell would be.</summary>
    private static Task<ProcessResult> CliAsync(params string[] args) =>
        U7sProcess.RunAsync(args, new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = S3TestStore.Endpoint });

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
