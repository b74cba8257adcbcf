using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using U7s.Cli.Tests.Support;
using U7s.Cluster.Haproxy;
using U7s.Oci;
using U7s.Security.Login;
using U7s.Testing;
using Xunit.Abstractions;

namespace U7s.Cli.Tests.Replicas;

/// <summary>
/// Three real <c>u7s serve</c> replicas over one bucket of the real radosgw, behind Debian's haproxy
/// (config from <c>u7s haproxy-config --registry</c>, round robin, PROXY v2 to every replica): pushes
/// whose requests land on different replicas, each replica serving the same image and signature, and a
/// signed pull loop that loses a replica.
/// </summary>
public sealed class ReplicasBehindHaproxyTests(ITestOutputHelper output) : IDisposable
{
    private const string SignedHost = "registry.local";
    private readonly TempDirectory _dir = new("u7s-replicas");
    private readonly ContainerTools _tools = new();

    [RequiresS3Fact("skopeo", "haproxy")]
    public async Task Replicas_ShareUploadsBlobsAndSignatures_AndSurviveALostReplica()
    {
        await using var s3 = await S3TestStore.CreateAsync();

        // What create-imagemakeruser --publish-to writes: bob's rights for the replicas, his key and the policy for nodes.
        var signers = TestSigners.Write(_dir.Combine("signers.json"), TestSigners.Policy(("registry.local/app", "bob")), ("bob", SampleKeys.SignerPublic));
        await s3.Bucket.PutAsync(U7s.Security.Signers.SignersDocument.S3Key, await File.ReadAllBytesAsync(signers), default);
        await s3.Bucket.PutAsync("sigstore/keys/bob.pgp", SampleKeys.SignerPublic, default);
        var htpasswd = _dir.Combine("htpasswd");
        new HtpasswdFile(htpasswd).Set("bob", "pw");
        var environment = new Dictionary<string, string>(s3.ServeEnvironment)
        {
            ["U7S_REGISTRY__AUTH__HTPASSWD"] = htpasswd,
            ["U7S_SERVER__PROXYPROTOCOL"] = "true",
            ["U7S_SERVER__TRUSTEDPROXIES__0"] = "127.0.0.1",
            ["U7S_S3__PARTBYTES"] = (5 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        var replicas = new List<U7sProcess>();
        await using var stopReplicas = new AsyncDisposables(replicas);
        for (var i = 0; i < 3; i++)
        {
            replicas.Add(await U7sProcess.StartAsync(_dir.Combine($"data{i}"), _dir.Combine($"sig{i}"), environment));

            // A cold replica answers its first request slower than haproxy's 500 ms check timeout; warm it first.
            using var warm = ProxyProtocolClient.Create(replicas[i].RegistryUrl);
            (await warm.GetAsync("/healthz")).Dispose();
        }

        var (registryPort, sigstorePort) = (FreeTcpPort.Next(), FreeTcpPort.Next());
        var stats = _dir.Combine("haproxy.sock");
        var config = _dir.Combine("haproxy.cfg");
        await File.WriteAllTextAsync(config, RegistryReplicasConfig.Render(
            replicas.Select((r, i) => new RegistryReplica($"u7s{i + 1:00}", "127.0.0.1", r.RegistryUrl.Port, r.SigstoreUrl.Port)).ToList(),
            "127.0.0.1", registryPort, sigstorePort, stats));
        var front = new Uri($"http://127.0.0.1:{registryPort}");
        await using var haproxy = await HaproxyProcess.StartAsync(config, stats, new Uri(front, "/healthz"));
        var frontHost = front.Authority;

        // 1. A chunked upload through the balancer: POST, three PATCHes and the PUT each land on the next replica.
        using var http = new HttpClient { BaseAddress = front };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("bob:pw"u8.ToArray()));
        var blob = RandomNumberGenerator.GetBytes(13 * 1024 * 1024 + 5);
        var blobDigest = await ChunkedUploadAsync(http, "app/chunked", blob, chunk: 6 * 1024 * 1024);
        foreach (var replica in replicas)
        {
            // Straight to the replica, as haproxy reaches it: a PROXY header first.
            using var direct = ProxyProtocolClient.Create(replica.RegistryUrl);
            var bytes = await direct.GetByteArrayAsync($"/v2/app/chunked/blobs/{blobDigest}");
            Assert.Equal(blobDigest, Digest.Compute(bytes));
        }

        // 2. skopeo pushes a multi-layer image through the balancer; every replica served part of it.
        var layout = new OciLayoutBuilder(_dir.Combine("layout"));
        layout.AddImage("v1", layers: 3, layerSize: 2 * 1024 * 1024, seed: 7);
        layout.AddImage("unsigned", layers: 1, layerSize: 4096, seed: 8);
        layout.Write();
        foreach (var (reference, target) in new[] { ("v1", "app/multi:1"), ("unsigned", "app/unsigned:1") })
        {
            var push = await _tools.SkopeoAsync("--policy", _tools.AnyPolicy, "copy", "--dest-tls-verify=false", "--dest-creds", "bob:pw",
                $"oci:{layout.Directory}:{reference}", $"docker://{frontHost}/{target}");
            Assert.True(push.ExitCode == 0, push.StandardError);
        }

        foreach (var server in new[] { "u7s01", "u7s02", "u7s03" })
        {
            Assert.StartsWith("UP", await haproxy.ServerStatusAsync("u7s_registry", server), StringComparison.Ordinal);
        }

        // 3. bob signs through the balancer's store port; the signature lands in the shared bucket.
        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v2/app/multi/manifests/1"));
        var manifest = Digest.Parse(head.Headers.GetValues("Docker-Content-Digest").Single());
        using var sigstore = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{sigstorePort}") };
        sigstore.DefaultRequestHeaders.Authorization = http.DefaultRequestHeaders.Authorization;
        using (var put = await sigstore.PutAsync($"/sigstore/app/multi@sha256={manifest.Hex}/signature", SampleSignature.Content($"{SignedHost}/app/multi:1", manifest)))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        // 4. Every replica serves the same manifest and signature (straight to it, as haproxy reaches it).
        using var signatureAnywhere = await sigstore.GetAsync($"/sigstore/app/multi@sha256={manifest.Hex}/signature-1");
        var signature = await signatureAnywhere.Content.ReadAsByteArrayAsync();
        foreach (var replica in replicas)
        {
            using var registryDirect = ProxyProtocolClient.Create(replica.RegistryUrl);
            using var storeDirect = ProxyProtocolClient.Create(replica.SigstoreUrl);
            using var get = new HttpRequestMessage(HttpMethod.Get, "/v2/app/multi/manifests/1");
            get.Headers.Accept.ParseAdd(MediaTypes.OciManifest);
            using var served = await registryDirect.SendAsync(get);
            Assert.Equal(manifest, Digest.Compute(await served.Content.ReadAsByteArrayAsync()));
            Assert.Equal(signature, await storeDirect.GetByteArrayAsync($"/sigstore/app/multi@sha256={manifest.Hex}/signature-1"));
        }

        var signedPull = await PullAsync(frontHost, sigstore.BaseAddress!, "app/multi:1");
        Assert.True(signedPull.ExitCode == 0, signedPull.StandardError);

        var refused = await PullAsync(frontHost, sigstore.BaseAddress!, "app/unsigned:1");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("signature", refused.StandardError, StringComparison.OrdinalIgnoreCase);

        // 5. A signed pull loop through the balancer; replica 2 is killed while a pull is in flight.
        var results = new List<(int Index, bool AfterDown, bool Ok, string Error)>();
        var downSeen = false;
        Task? kill = null;
        for (var i = 0; i < 40 && results.Count(r => r.AfterDown) < 10; i++)
        {
            if (i == 4)
            {
                kill = Task.Run(async () =>
                {
                    await Task.Delay(150);
                    await replicas[1].KillAsync();
                });
            }

            var afterDown = downSeen;
            var pull = await PullAsync(frontHost, sigstore.BaseAddress!, "app/multi:1");
            results.Add((i, afterDown, pull.ExitCode == 0, pull.StandardError));
            downSeen = downSeen || (await haproxy.ServerStatusAsync("u7s_registry", "u7s02")).StartsWith("DOWN", StringComparison.Ordinal);
        }

        await kill!;
        foreach (var r in results.Where(r => !r.Ok))
        {
            output.WriteLine($"pull {r.Index} ({(r.AfterDown ? "after" : "before")} haproxy marked the replica down) failed: {r.Error}");
        }

        output.WriteLine($"{results.Count} pulls, {results.Count(r => !r.Ok)} failed, {results.Count(r => r.AfterDown)} after the replica was marked down");
        Assert.True(downSeen, "haproxy never marked the killed replica down: " + haproxy.Log);
        Assert.True(results.Count(r => r.AfterDown) >= 10);
        Assert.All(results.Where(r => r.AfterDown), r => Assert.True(r.Ok, $"pull {r.Index} failed after the replica was marked down: {r.Error}"));
    }

    public void Dispose()
    {
        _tools.Dispose();
        _dir.Dispose();
    }

    private static async Task<Digest> ChunkedUploadAsync(HttpClient http, string repository, byte[] blob, int chunk)
    {
        using var start = await http.PostAsync($"/v2/{repository}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location!;
        for (var offset = 0; offset < blob.Length; offset += chunk)
        {
            var length = Math.Min(chunk, blob.Length - offset);
            using var content = new ByteArrayContent(blob, offset, length);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + length - 1}");
            using var patch = await http.PatchAsync(location, content);
            Assert.True(patch.StatusCode == HttpStatusCode.Accepted, $"PATCH at {offset}: {(int)patch.StatusCode} {await patch.Content.ReadAsStringAsync()}");
            location = patch.Headers.Location!;
        }

        var digest = Digest.Compute(blob);
        var separator = location.OriginalString.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        using var put = await http.PutAsync(new Uri($"{location.OriginalString}{separator}digest={digest}", UriKind.RelativeOrAbsolute), null);
        Assert.True(put.StatusCode == HttpStatusCode.Created, $"PUT: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
        return digest;
    }

    /// <summary>skopeo as a node: signedBy bob's key for this host (identities remapped to registry.local), lookaside on <paramref name="sigstore"/>.</summary>
    private Task<ProcessResult> PullAsync(string registryHost, Uri sigstore, string image)
    {
        var name = registryHost.Replace(':', '_');
        var key = _dir.Combine("bob.pgp");
        if (!File.Exists(key))
        {
            File.WriteAllBytes(key, SampleKeys.SignerPublic);
        }

        var policy = _dir.Combine($"policy-{name}.json");
        File.WriteAllText(policy, "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"" + registryHost
            + "\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"" + key
            + "\",\"signedIdentity\":{\"type\":\"remapIdentity\",\"prefix\":\"" + registryHost + "\",\"signedPrefix\":\"" + SignedHost + "\"}}]}}}");
        var registriesD = _dir.Combine($"rd-{name}");
        Directory.CreateDirectory(registriesD);
        File.WriteAllText(Path.Combine(registriesD, "u7s.yaml"), $"docker:\n  {registryHost}:\n    lookaside: {sigstore.ToString().TrimEnd('/')}/sigstore\n");
        return _tools.SkopeoAsync("--policy", policy, "--registries.d", registriesD, "copy", "--src-tls-verify=false",
            $"docker://{registryHost}/{image}", $"dir:{_tools.NewDirectory("pull")}");
    }

    /// <summary>Disposes every started replica, whatever happened.</summary>
    private sealed class AsyncDisposables(List<U7sProcess> processes) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var p in processes)
            {
                await p.DisposeAsync();
            }
        }
    }
}
