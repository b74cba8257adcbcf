using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using U7s.Oci;
using U7s.Sigstore.Keys;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Signing;
using U7s.Sigstore.Store;

namespace U7s.Bench;

/// <summary>
/// U7s with <c>Registry:Enforce:Mode enforce</c> beside the plain one of the same run: the same signed
/// manifest under load, and the status page over 1,000 repositories × 10 tags.
/// </summary>
internal sealed class EnforceWorkloads : IAsyncDisposable
{
    public const string ManifestRow = "manifest GET, enforce (req/s)";

    /// <summary>The enforcing server's name in the report (the same build as the plain one).</summary>
    public const string Enforcing = "u7s-enforce";

    /// <summary>The plain server of the same build, its peer.</summary>
    public const string Plain = "u7s-off";
    public const string StatusRow = "status page 1000x10, warm (ms)";
    public const string StatusColdRow = "status page 1000x10, first (ms)";
    public const string StatusAfterPushRow = "status page 1000x10, after a push (ms)";
    private const int Repositories = 1000;
    private const int Tags = 10;

    private EnforceWorkloads(ServerProcess server) => Server = server;

    public ServerProcess Server { get; }

    /// <summary>Starts the enforcing server over its own data and tree, trusting a key made for the run, and seeds it.</summary>
    public static async Task<EnforceWorkloads> StartAsync(string root, string manifestPath)
    {
        var tree = Path.Combine(root, "enforce-sig");
        Directory.CreateDirectory(Path.Combine(tree, "keys"));
        var pgp = new BouncyCastleOpenPgp();
        var secret = pgp.GenerateSecretKey(new KeyGenerationRequest("Bench Signer", "bench@example.test", KeySpec.Rsa(2048), null, DateTimeOffset.UtcNow));
        var fingerprint = pgp.ReadSecretKeys(secret, DateTimeOffset.UtcNow)[0].Fingerprint;
        var publicKey = pgp.ExportPublicKey(secret, fingerprint, armored: false);
        var keyPath = Path.Combine(tree, "keys", "bench.pgp");
        await File.WriteAllBytesAsync(keyPath, publicKey);
        var policy = Path.Combine(root, "enforce-policy.json");
        await File.WriteAllTextAsync(policy, "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"registry.local\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"" + keyPath + "\"}]}}}");
        var (server, _) = await RegistryServers.StartU7sAsync("u7s-enforce", root, tree, new Dictionary<string, string?>
        {
            ["U7S_REGISTRY__ENFORCE__MODE"] = "enforce",
            ["U7S_REGISTRY__ENFORCE__POLICY"] = policy,
        });
        var workloads = new EnforceWorkloads(server);
        await workloads.SeedAsync(manifestPath, new ImageSigner(pgp, new SignatureStore(new FileSystemSigstoreTree(tree)), TimeProvider.System, "u7s bench"), new SignerKey(fingerprint, secret, publicKey, null));
        return workloads;
    }

    /// <summary>Renders the page once (cold caches), then <paramref name="renders"/> times; records both.</summary>
    public async Task MeasureStatusPageAsync(Report report, int renders)
    {
        using var client = new HttpClient { BaseAddress = Server.Url, Timeout = TimeSpan.FromMinutes(5) };
        for (var i = 0; i <= renders; i++)
        {
            var watch = Stopwatch.StartNew();
            var html = await client.GetStringAsync(new Uri("/ui/", UriKind.Relative));
            var ms = watch.Elapsed.TotalMilliseconds;
            if (!html.Contains("bench/r999", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("the status page does not list every repository");
            }

            report.Add(i == 0 ? StatusColdRow : StatusRow, Enforcing, ms);
        }

        // A push empties the page's cached list: the next render reads every tag again (verdicts stay cached).
        var (config, layer) = (Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"), new byte[4096]);
        for (var i = 0; i < renders; i++)
        {
            await PushManifestAsync(client, "bench/r000", "2", config, layer, i % 2 == 0 ? 1_000_000 : 2);
            var watch = Stopwatch.StartNew();
            _ = await client.GetStringAsync(new Uri("/ui/", UriKind.Relative));
            report.Add(StatusAfterPushRow, Enforcing, watch.Elapsed.TotalMilliseconds);
        }
    }

    public static void Declare(Report report)
    {
        // The enforcing server against the plain one of the same run and build.
        report.Compare(ManifestRow, "req/s", Plain, 0.8, true, ">= 0.8x", Enforcing);
        var warm = report.Median(StatusRow, Enforcing);
        if (warm is { } ms)
        {
            report.Note(string.Create(CultureInfo.InvariantCulture,
                $"status page, 1000 repositories x 10 tags: first render {report.Median(StatusColdRow, Enforcing):F0} ms, then median {ms:F0} ms (target < 200 ms: {(ms < 200 ? "met" : "MISSED")}), right after a push {report.Median(StatusAfterPushRow, Enforcing):F0} ms"));
        }
    }

    // The manifest of the main servers, signed here as registry.local/bench/app:v1; then 1,000 repositories of 10 tags, tag 1 of each signed.
    private async Task SeedAsync(string manifestPath, ImageSigner signer, SignerKey key)
    {
        using var client = new HttpClient { BaseAddress = Server.Url };
        var (config, layer) = (Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"), new byte[4096]);
        await PushBlobAsync(client, "bench/app", config);
        await PushBlobAsync(client, "bench/app", layer);
        var app = await PushManifestAsync(client, "bench/app", "v1", config, layer, 0);
        if (!manifestPath.EndsWith("/bench/app/manifests/v1", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"unexpected manifest path {manifestPath}");
        }

        await signer.SignAsync(Reference.Parse("registry.local/bench/app:v1"), app, key, CancellationToken.None);
        await Parallel.ForEachAsync(Enumerable.Range(0, Repositories), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (r, ct) =>
        {
            var repository = $"bench/r{r:D3}";
            foreach (var blob in new[] { config, layer })
            {
                using var mount = await client.PostAsync(new Uri($"/v2/{repository}/blobs/uploads/?mount={Digest.Compute(blob)}&from=bench/app", UriKind.Relative), null, ct);
                mount.EnsureSuccessStatusCode();
            }

            for (var t = 1; t <= Tags; t++)
            {
                var digest = await PushManifestAsync(client, repository, t.ToString(CultureInfo.InvariantCulture), config, layer, (r * Tags) + t);
                if (t == 1)
                {
                    await signer.SignAsync(Reference.Parse($"registry.local/{repository}:1"), digest, key, ct);
                }
            }
        });
    }

    private static async Task PushBlobAsync(HttpClient client, string repository, byte[] blob)
    {
        using var post = await client.PostAsync(new Uri($"/v2/{repository}/blobs/uploads/?digest={Digest.Compute(blob)}", UriKind.Relative), new ByteArrayContent(blob));
        post.EnsureSuccessStatusCode();
    }

    private static async Task<Digest> PushManifestAsync(HttpClient client, string repository, string tag, byte[] config, byte[] layer, int variant)
    {
        // The first manifest is byte for byte the one the main servers hold; the others differ by an annotation.
        var annotations = variant == 0 ? string.Empty : $",\"annotations\":{{\"bench\":\"{variant}\"}}";
        var manifest = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{Digest.Compute(config)}\",\"size\":{config.Length}}},\"layers\":[{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"{Digest.Compute(layer)}\",\"size\":{layer.Length}}}]{annotations}}}");
        using var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.oci.image.manifest.v1+json");
        using var put = await client.PutAsync(new Uri($"/v2/{repository}/manifests/{tag}", UriKind.Relative), content);
        put.EnsureSuccessStatusCode();
        return Digest.Compute(manifest);
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
