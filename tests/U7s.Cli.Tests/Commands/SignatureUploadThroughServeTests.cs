using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using U7s.Cli.Tests.Support;
using U7s.Oci;
using U7s.Security.Login;
using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// A signature PUT on :81 of the real <c>u7s serve</c>: one htpasswd for both ports, the manifest
/// checked in the registry's own store, the scope and key from the authorization file, the audit log.
/// </summary>
public sealed class SignatureUploadThroughServeTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Imagemaker_PutsSignatureForItsScope_RefusedElsewhere_Audited()
    {
        var sig = _dir.Combine("sig");
        Directory.CreateDirectory(Path.Combine(sig, "keys"));
        await File.WriteAllBytesAsync(Path.Combine(sig, "keys", "bob.pgp"), SampleKeys.SignerPublic);
        await File.WriteAllTextAsync(Path.Combine(sig, "keys", "policy.json"), """
            {"default":[{"type":"reject"}],"transports":{"docker":{"registry.local/k8s-c10f1":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/var/sigstore/keys/bob.pgp"}]}}}
            """);
        var htpasswd = _dir.Combine("htpasswd");
        new HtpasswdFile(htpasswd).Set("bob", "pw");
        var signers = TestSigners.Write(_dir.Combine("etc", "signers.json"), TestSigners.Policy(("registry.local/k8s-c10f1", "bob")), ("bob", SampleKeys.SignerPublic));
        await using var server = await U7sProcess.StartAsync(_dir.Combine("data"), sig, new Dictionary<string, string>
        {
            ["U7S_REGISTRY__AUTH__HTPASSWD"] = htpasswd,
            ["U7S_REGISTRY__AUTH__SIGNERS"] = signers,
        });
        using var registry = new HttpClient { BaseAddress = server.RegistryUrl };
        using var store = new HttpClient { BaseAddress = server.SigstoreUrl };
        registry.DefaultRequestHeaders.Authorization = store.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("bob:pw"u8.ToArray()));

        var pause = (await SmallImage.PushAsync(registry, "k8s-c10f1/pause", "3.9")).Digest;
        using (var created = await store.PutAsync($"/sigstore/k8s-c10f1/pause@sha256={pause.Hex}/signature", SampleSignature.Content("registry.local/k8s-c10f1/pause:3.9", pause)))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal($"/sigstore/k8s-c10f1/pause@sha256={pause.Hex}/signature-1", created.Headers.Location?.OriginalString);
        }

        using var get = await new HttpClient().GetAsync(new Uri(server.SigstoreUrl, $"/sigstore/k8s-c10f1/pause@sha256={pause.Hex}/signature-1"));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);

        // A manifest the registry does not hold, and an identity outside bob's scope: refused, nothing stored.
        var absent = Digest.Compute("absent"u8);
        using (var missing = await store.PutAsync($"/sigstore/k8s-c10f1/pause@sha256={absent.Hex}/signature", SampleSignature.Content("registry.local/k8s-c10f1/pause:3.9", absent)))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        using (var outside = await store.PutAsync($"/sigstore/other/tool@sha256={pause.Hex}/signature", SampleSignature.Content("registry.local/other/tool:1", pause)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, outside.StatusCode);
        }

        Assert.False(Directory.Exists(Path.Combine(sig, "sigstore", $"k8s-c10f1/pause@sha256={absent.Hex}")));
        Assert.False(Directory.Exists(Path.Combine(sig, "sigstore", "other")));
        var audit = (await File.ReadAllLinesAsync(_dir.Combine("data", "audit.log"))).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(audit, e => e.GetProperty("action").GetString() == "signature.write" && e.GetProperty("user").GetString() == "bob"
            && e.GetProperty("digest").GetString() == pause.ToString() && e.GetProperty("signature").GetString() == "signature-1");
    }

    public void Dispose() => _dir.Dispose();
}
