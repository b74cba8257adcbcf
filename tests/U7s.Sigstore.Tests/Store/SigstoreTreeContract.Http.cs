using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using U7s.Oci;
using U7s.Security.Signers;
using U7s.Sigstore.Manifests;
using U7s.Sigstore.Store;
using U7s.Sigstore.Tests.Http;

namespace U7s.Sigstore.Tests.Store;

/// <summary>The :81 server (SPEC §2.5) over the tree, against real Kestrel: the same answers from every backend.</summary>
public abstract partial class SigstoreTreeContract
{
    private const string Hex = "035d35a9bb1b2d5cb1e0a7c1b0f2e0f1ad3b3f7ccdb1d7b4cb0f2f0a35d3e0aa";
    private const string SignaturePath = "sigstore/k8s-c10f1/pause@sha256=" + Hex + "/signature-1";

    [ContractFact]
    public async Task Http_ServesSignaturesFromTheTree()
    {
        await using var server = await StartServerAsync();

        foreach (var path in new[] { "/" + SignaturePath, "/sigstore//k8s-c10f1/pause@sha256=" + Hex + "/signature-1", "/sigstore/k8s-c10f1/pause%40sha256%3D" + Hex + "/signature-1" })
        {
            using var response = await server.Client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(4, response.Content.Headers.ContentLength);
            Assert.NotNull(response.Content.Headers.LastModified);
            Assert.Equal([0xA3, 1, 2, 3], await response.Content.ReadAsByteArrayAsync());
        }

        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/" + SignaturePath));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(4, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        using var policy = await server.Client.GetAsync(new Uri("/keys/policy.json", UriKind.Relative));
        Assert.Equal("application/json", policy.Content.Headers.ContentType?.MediaType);
        using var index = await server.Client.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
        Assert.Contains("SigStore works!", await index.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task Http_JsonListing_DirectoriesFirstDotFilesHidden()
    {
        await using var server = await StartServerAsync();

        using var keys = await server.Client.GetAsync(new Uri("/keys/", UriKind.Relative));
        using var repository = await server.Client.GetAsync(new Uri("/sigstore/k8s-c10f1/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, keys.StatusCode);
        Assert.Equal("application/json", keys.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await keys.Content.ReadAsStringAsync());
        var entries = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(["old", "imagemaker.pgp", "policy.json"], entries.Select(e => e.GetProperty("name").GetString()));
        Assert.Equal(["directory", "file", "file"], entries.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal([["name", "type", "mtime"], ["name", "type", "mtime", "size"], ["name", "type", "mtime", "size"]], entries.Select(e => e.EnumerateObject().Select(p => p.Name).ToArray()));
        Assert.Equal([3L, 2L], entries.Skip(1).Select(e => e.GetProperty("size").GetInt64()));
        Assert.All(entries, e => Assert.True(DateTime.TryParseExact(e.GetProperty("mtime").GetString(), "R", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)));
        using var repositoryJson = JsonDocument.Parse(await repository.Content.ReadAsStringAsync());
        Assert.Equal("pause@sha256=" + Hex, Assert.Single(repositoryJson.RootElement.EnumerateArray()).GetProperty("name").GetString());
    }

    [ContractFact]
    public async Task Http_DirectoryWithoutSlash_Is301_MissingIs404WithoutBody()
    {
        await using var server = await StartServerAsync();

        foreach (var (path, location) in new[] { ("/keys", "/keys/"), ("/sigstore/k8s-c10f1", "/sigstore/k8s-c10f1/"), ("/sigstore", "/sigstore/") })
        {
            using var response = await server.Client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
            Assert.Equal(location, response.Headers.Location?.OriginalString);
        }

        foreach (var path in new[] { "/sigstore/k8s-c10f1/pause@sha256=" + Hex + "/signature-2", "/sigstore/k8s-c10f1/other@sha256=" + Hex + "/signature-1", "/keys/absent.pgp", "/keys/policy.json/", "/absent/", "/../../etc/passwd", "/sigstore/%2e%2e/%2e%2e/etc/passwd" })
        {
            using var response = await server.Client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.True(HttpStatusCode.NotFound == response.StatusCode, path);
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        }
    }

    [ContractFact]
    public async Task Http_PutOnTwoReplicas_AppendsEverySignatureOnceInOneList()
    {
        using var work = new TempDirectory("u7s-tree-put");
        var htpasswd = work.Combine("htpasswd");
        await SignatureUploads.WriteHtpasswdAsync(htpasswd, "imagemaker", "other");
        var signers = new SignersFile(TestSigners.Write(work.Combine("signers.json"), TestSigners.Policy(("registry.local/ns", "imagemaker")), ("imagemaker", SampleKeys.SignerPublic)));
        var manifest = new SignatureUploads.FixedManifestSource("{\"schemaVersion\":2}"u8.ToArray());
        await using var first = await SigstoreServer.StartAsync(s => s.AddSingleton(Tree).AddSingleton<IManifestSource>(manifest).AddSingleton<ISignerSource>(signers), o => o.HtpasswdPath = htpasswd);
        await using var second = await SigstoreServer.StartAsync(s => s.AddSingleton(OpenReplica()).AddSingleton<IManifestSource>(manifest).AddSingleton<ISignerSource>(signers), o => o.HtpasswdPath = htpasswd);
        var path = "/sigstore/" + SignatureStore.RelativeDirectory(RepositoryName.Parse("ns/app"), manifest.Digest) + "/signature";
        // One clock reading: RSA signatures are deterministic and carry whole seconds, so reading the
        // clock per signature could give two of them the same second, hence the same bytes.
        var now = DateTimeOffset.UtcNow;
        var signatures = Enumerable.Range(0, 6).Select(i => SignatureUploads.Sign("registry.local/ns/app:v1", manifest.Digest, now.AddSeconds(-i))).ToList();

        var statuses = await Task.WhenAll(signatures.Select((s, i) => SignatureUploads.PutAsync((i % 2 == 0 ? first : second).Client, path, s, "imagemaker")));
        var again = await SignatureUploads.PutAsync(second.Client, path, signatures[0], "imagemaker");
        var noKey = await SignatureUploads.PutAsync(first.Client, path, SignatureUploads.Sign("registry.local/ns/app:v1", manifest.Digest, now.AddMinutes(-1)), "other");

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Created, s));
        Assert.Equal(HttpStatusCode.OK, again);
        Assert.Equal(HttpStatusCode.Forbidden, noKey);
        var stored = new List<string>();
        for (var i = 1; i <= 7; i++)
        {
            using var response = await first.Client.GetAsync(new Uri(path + "-" + i, UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                break;
            }

            stored.Add(Convert.ToHexString(await response.Content.ReadAsByteArrayAsync()));
        }

        Assert.Equal(signatures.Select(Convert.ToHexString).Order(), stored.Order());
    }

    private async Task<SigstoreServer> StartServerAsync()
    {
        await Tree.WriteAsync("index.html", "<html><body><h1>SigStore works!</h1></body></html>"u8.ToArray(), default);
        await Tree.WriteAsync("keys/old/retired.pgp", "r"u8.ToArray(), default);
        await Tree.WriteAsync("keys/imagemaker.pgp", "key"u8.ToArray(), default);
        await Tree.WriteAsync("keys/policy.json", "{}"u8.ToArray(), default);
        await Tree.WriteAsync("keys/.hidden", "x"u8.ToArray(), default);
        Assert.True(await Tree.CreateIfAbsentAsync(SignaturePath, new byte[] { 0xA3, 1, 2, 3 }, default));

        // The served tree comes from the container, not from SigstoreOptions.Root (an empty temp directory here).
        return await SigstoreServer.StartAsync(s => s.AddSingleton(Tree));
    }
}
