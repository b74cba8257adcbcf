using System.Net;
using System.Net.Http.Headers;
using System.Text;
using U7s.Cli.Tests.Support;
using U7s.Oci;
using U7s.Registry.Access;

namespace U7s.Cli.Tests.Enforcement;

/// <summary>
/// <c>Registry:Enforce</c> on the real server: manifest reads answered only for images the node policy
/// accepts, everything else readable, pushes never blocked, and changes to signatures, keys and the
/// policy honoured at once (through this process) or within <c>RecheckAfter</c> (from outside).
/// </summary>
public sealed class EnforcementTests
{
    private static readonly TimeSpan Long = TimeSpan.FromHours(1);

    [Fact]
    public async Task Enforce_SignedServed_UnsignedDenied403NamingRequirement_BlobsStayReadable_PushNotBlocked()
    {
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Enforce, Long);
        var signed = await SmallImage.PushAsync(server.Admin, "app", "1");
        var unsigned = await SmallImage.PushAsync(server.Admin, "tool", "1");
        await server.SignInTreeAsync("app", "1", signed.Digest);

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
        {
            using var byTag = await server.GetManifestAsync("app", "1", method);
            Assert.Equal(HttpStatusCode.OK, byTag.StatusCode);
            using var byDigest = await server.GetManifestAsync("app", signed.Digest.ToString(), method);
            Assert.Equal(HttpStatusCode.OK, byDigest.StatusCode);
            using var refused = await server.GetManifestAsync("tool", "1", method);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            using var refusedByDigest = await server.GetManifestAsync("tool", unsigned.Digest.ToString(), method);
            Assert.Equal(HttpStatusCode.Forbidden, refusedByDigest.StatusCode);
        }

        using (var refused = await server.GetManifestAsync("tool", "1"))
        {
            var body = await refused.Content.ReadAsStringAsync();
            Assert.Contains("\"DENIED\"", body, StringComparison.Ordinal);
            Assert.Contains("registry.local/tool:1", body, StringComparison.Ordinal);
            Assert.Contains("A signature was required, but no signature exists", body, StringComparison.Ordinal);
        }

        // The layer of the refused image, and the signature of the served one, are still served.
        using (var layer = await server.Anonymous.GetAsync($"/v2/tool/blobs/{Digest.Compute(unsigned.Layer)}"))
        {
            Assert.Equal(HttpStatusCode.OK, layer.StatusCode);
        }

        using (var signature = await new HttpClient().GetAsync(new Uri(server.Store.BaseAddress!, $"/sigstore/app@sha256={signed.Digest.Hex}/signature-1")))
        {
            Assert.Equal(HttpStatusCode.OK, signature.StatusCode);
        }

        // Pushing an unsigned image is never refused: the loader pushes first and signs after.
        await SmallImage.PushAsync(server.Admin, "tool", "2");

        // A scope whose policy takes anything is not judged.
        await SmallImage.PushAsync(server.Admin, "open/thing", "1");
        using (var open = await server.GetManifestAsync("open/thing", "1"))
        {
            Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        }

        var metrics = await server.Anonymous.GetStringAsync("/metrics");
        Assert.Contains("u7s_registry_enforce_total{outcome=\"denied\"} 5", metrics, StringComparison.Ordinal);
        Assert.Contains("u7s_registry_enforce_total{outcome=\"signed\"} 4", metrics, StringComparison.Ordinal);
        Assert.Contains("u7s_registry_enforce_total{outcome=\"unchecked\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignAndVerify_ManifestRefusedByEnforcement_SayEnforcementRefusedIt_Exit4()
    {
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Enforce, Long);
        await SmallImage.PushAsync(server.Admin, "tool", "1");
        var keyDir = server.Dir.Combine("keys");
        var import = await CommandHarness.RunCliAsync("keys", "import", SampleKeys.PathOf("signer.sec.asc"), "--key-dir", keyDir);
        Assert.Equal(0, import.ExitCode);
        var image = "registry.local/tool:1";
        var url = server.RegistryUrl.ToString();

        var verify = await CommandHarness.RunCliAsync("verify", image, "--registry-url", url, "--sigstore-root", server.SigstoreRoot, "--keyring", server.PublishedKey);
        var sign = await CommandHarness.RunCliAsync("sign", image, "--key", SampleKeys.SignerEmail, "--key-dir", keyDir, "--sigstore-root", server.SigstoreRoot, "--registry-url", url);
        foreach (var (verb, result) in new[] { ("verify", verify), ("sign", sign) })
        {
            Assert.True(result.ExitCode == ExitCodes.Refused, $"{verb} exited {result.ExitCode}: {result.Stderr}");
            var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("refused to serve registry.local/tool:1 (403)", line, StringComparison.Ordinal);
            Assert.Contains("refused by the registry's signature enforcement", line, StringComparison.Ordinal);
            Assert.Contains("A signature was required, but no signature exists", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Enforce_ARefusedManifest_CannotBeReadAsABlobMountedIntoAnotherRepository()
    {
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Enforce, Long);
        var unsigned = await SmallImage.PushAsync(server.Admin, "tool", "1");
        using (var refused = await server.GetManifestAsync("tool", unsigned.Digest.ToString()))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        // A mount without from takes only what a repository links as a blob, never a manifest's stored bytes.
        using (var mount = await server.Admin.PostAsync($"/v2/copy/blobs/uploads/?mount={unsigned.Digest}", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, mount.StatusCode);
        }

        using var read = await server.Anonymous.GetAsync($"/v2/copy/blobs/{unsigned.Digest}");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
    }

    [Fact]
    public async Task Enforce_SignatureForAnotherTag_DeniedWithTheIdentityReason()
    {
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Enforce, Long);
        var image = await SmallImage.PushAsync(server.Admin, "app", "1");
        await server.SignInTreeAsync("app", "1", image.Digest, identity: "registry.local/app:other");

        using var refused = await server.GetManifestAsync("app", "1");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("Signature for identity registry.local/app:other is not accepted", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Pulled by digest, the default signedIdentity takes any tag of the repository (matchRepoDigestOrExact).
        using var byDigest = await server.GetManifestAsync("app", image.Digest.ToString());
        Assert.Equal(HttpStatusCode.OK, byDigest.StatusCode);
    }

    [Fact]
    public async Task Warn_ServesUnsigned_CountsIt()
    {
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Warn, Long);
        await SmallImage.PushAsync(server.Admin, "tool", "1");
        using var served = await server.GetManifestAsync("tool", "1");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Contains("u7s_registry_enforce_total{outcome=\"warned\"} 1", await server.Anonymous.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Off_ServesUnsigned_JudgesNothing()
    {
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Off, Long);
        await SmallImage.PushAsync(server.Admin, "tool", "1");
        using var served = await server.GetManifestAsync("tool", "1");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.DoesNotContain("u7s_registry_enforce_total{", await server.Anonymous.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enforce_WriterOfTheRepository_ReadsUnsignedToSignIt()
    {
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Enforce, Long);
        await SmallImage.PushAsync(server.Admin, "tool", "1");
        using var writer = await server.GetManifestAsync("tool", "1", client: server.Admin);
        Assert.Equal(HttpStatusCode.OK, writer.StatusCode);
        using var node = await server.GetManifestAsync("tool", "1");
        Assert.Equal(HttpStatusCode.Forbidden, node.StatusCode);
    }

    [Fact]
    public async Task Enforce_Index_ServedWhenEachPlatformManifestIsSigned_ItsOwnSignatureCountsForNothing()
    {
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Enforce, Long);

        // Signed in the tree before the first GET of each repository: writes that bypass :81 are seen at the next recheck only.
        async Task<(SmallImage Amd64, SmallImage Arm64)> PushAsync(string repository, bool signIndex, bool signAmd64, bool signArm64)
        {
            var amd64 = await SmallImage.PushAsync(server.Admin, repository, "amd64-only");
            var arm64 = await SmallImage.PushAsync(server.Admin, repository, "arm64-only");
            var index = await PushIndexAsync(server.Admin, repository, "1", amd64, arm64);
            foreach (var (sign, digest) in new[] { (signIndex, index), (signAmd64, amd64.Digest), (signArm64, arm64.Digest) })
            {
                if (sign)
                {
                    await server.SignInTreeAsync(repository, "1", digest);
                }
            }

            return (amd64, arm64);
        }

        // A node pulling the tag checks the platform manifest it picks, never the index: a signed index alone admits nothing.
        var indexOnly = await PushAsync("multi", signIndex: true, signAmd64: false, signArm64: false);
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(server, "multi", "1"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(server, "multi", indexOnly.Amd64.Digest.ToString()));

        // One platform signed: its manifest is served, the index is not (a node of the other platform would refuse its pull).
        var half = await PushAsync("half", signIndex: false, signAmd64: true, signArm64: false);
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(server, "half", "1"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(server, "half", half.Amd64.Digest.ToString()));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(server, "half", half.Arm64.Digest.ToString()));

        // Every platform signed, the index not: served.
        await PushAsync("full", signIndex: false, signAmd64: true, signArm64: true);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(server, "full", "1"));

        // The platform manifest's own tag is another identity than the one its signature claims.
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(server, "full", "amd64-only"));
    }

    private static async Task<HttpStatusCode> StatusAsync(EnforcedServer server, string repository, string reference)
    {
        using var response = await server.GetManifestAsync(repository, reference);
        return response.StatusCode;
    }

    [Fact]
    public async Task Enforce_SignaturePutThroughTheStore_HonouredAtOnce()
    {
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Enforce, Long);
        var image = await SmallImage.PushAsync(server.Admin, "app", "1");
        using (var before = await server.GetManifestAsync("app", "1"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);
        }

        using (var put = await server.Store.PutAsync($"/sigstore/app@sha256={image.Digest.Hex}/signature", SampleSignature.Content("registry.local/app:1", image.Digest)))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        // RecheckAfter is an hour: only the write itself can have cleared the cached refusal.
        using var after = await server.GetManifestAsync("app", "1");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Enforce_SignatureWrittenThroughTheServersStore_NotThroughHttp_HonouredAtOnce()
    {
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Enforce, Long);
        var image = await SmallImage.PushAsync(server.Admin, "app", "1");
        using (var before = await server.GetManifestAsync("app", "1"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);
        }

        var auditLog = Assert.Single(Directory.GetFiles(server.Dir.Path, "audit.log", SearchOption.AllDirectories));
        var audited = File.ReadAllText(auditLog);
        await server.SignThroughTheServersStoreAsync("app", "1", image.Digest);
        Assert.Equal(audited, File.ReadAllText(auditLog));

        // RecheckAfter is an hour and no request was audited: only the store's own change event can have cleared it.
        using var after = await server.GetManifestAsync("app", "1");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Enforce_SignatureWrittenToTheTreeOutside_UnseenBeforeTheBound()
    {
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Enforce, Long);
        var image = await SmallImage.PushAsync(server.Admin, "app", "1");
        using (var before = await server.GetManifestAsync("app", "1"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);
        }

        await server.SignInTreeAsync("app", "1", image.Digest);
        using var cached = await server.GetManifestAsync("app", "1");
        Assert.Equal(HttpStatusCode.Forbidden, cached.StatusCode);
    }

    [Fact]
    public async Task Enforce_SignatureWrittenAndDeletedOutside_HonouredWithinTheBound()
    {
        var bound = TimeSpan.FromSeconds(2);
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Enforce, bound);
        var image = await SmallImage.PushAsync(server.Admin, "app", "1");
        using (var before = await server.GetManifestAsync("app", "1"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);
        }

        await server.SignInTreeAsync("app", "1", image.Digest);
        var seen = await server.WaitForStatusAsync("app", "1", HttpStatusCode.OK, bound + TimeSpan.FromSeconds(3));
        Assert.True(seen <= bound + TimeSpan.FromSeconds(1.5), $"seen after {seen}");

        File.Delete(Path.Combine(server.SigstoreRoot, "sigstore", $"app@sha256={image.Digest.Hex}", "signature-1"));
        var gone = await server.WaitForStatusAsync("app", "1", HttpStatusCode.Forbidden, bound + TimeSpan.FromSeconds(3));
        Assert.True(gone <= bound + TimeSpan.FromSeconds(1.5), $"deletion seen after {gone}");
    }

    [Fact]
    public async Task Enforce_PolicyAndKeyChanges_HonouredWithinTheBound_BrokenPolicyKeepsTheLastGood()
    {
        var bound = TimeSpan.FromSeconds(1);
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Enforce, bound);
        var image = await SmallImage.PushAsync(server.Admin, "app", "1");
        await server.SignInTreeAsync("app", "1", image.Digest);
        await SmallImage.PushAsync(server.Admin, "tool", "1");
        await server.WaitForStatusAsync("app", "1", HttpStatusCode.OK, TimeSpan.FromSeconds(5));

        // Another key in the key file: the sample signer is no longer trusted.
        await File.WriteAllBytesAsync(server.PublishedKey, SampleKeys.ProtectedPublic);
        await server.WaitForStatusAsync("app", "1", HttpStatusCode.Forbidden, bound + TimeSpan.FromSeconds(3));

        // A half-written policy changes nothing.
        await File.WriteAllTextAsync(server.PolicyPath, "{\"default\":[");
        await Task.Delay(bound * 2);
        using (var still = await server.GetManifestAsync("tool", "1"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, still.StatusCode);
        }

        // A policy that takes anything for registry.local opens it.
        await File.WriteAllTextAsync(server.PolicyPath, """{"default":[{"type":"insecureAcceptAnything"}]}""");
        await server.WaitForStatusAsync("tool", "1", HttpStatusCode.OK, bound + TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Serve_InvalidEnforcePolicy_StopsWithOneLineAndExit2()
    {
        using var dir = new TempDirectory();
        var policy = dir.Combine("policy.json");
        await File.WriteAllTextAsync(policy, """{"default":[{"type":"signedBy"}]}""");
        var env = new Dictionary<string, string> { ["U7S_REGISTRY__ENFORCE__MODE"] = "enforce", ["U7S_REGISTRY__ENFORCE__POLICY"] = policy };
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => U7sProcess.StartAsync(dir.Combine("data"), dir.Combine("sig"), env));
        Assert.Contains("exited 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("Registry:Enforce:Policy", error.Message, StringComparison.Ordinal);

        var noPolicy = new Dictionary<string, string> { ["U7S_REGISTRY__ENFORCE__MODE"] = "enforce" };
        error = await Assert.ThrowsAsync<InvalidOperationException>(() => U7sProcess.StartAsync(dir.Combine("data"), dir.Combine("sig"), noPolicy));
        Assert.Contains("exited 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("needs Registry:Enforce:Policy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_EnforcePolicyTrustingAKeyOthersCanWrite_StopsWithOneLineAndExit2()
    {
        using var dir = new TempDirectory();
        var key = dir.Combine("signer.pgp");
        await File.WriteAllBytesAsync(key, SampleKeys.SignerPublic);
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead);
        var policy = dir.Combine("policy.json");
        await File.WriteAllTextAsync(policy, "{\"default\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"" + key + "\"}]}");
        var env = new Dictionary<string, string> { ["U7S_REGISTRY__ENFORCE__MODE"] = "enforce", ["U7S_REGISTRY__ENFORCE__POLICY"] = policy };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => U7sProcess.StartAsync(dir.Combine("data"), dir.Combine("sig"), env));

        Assert.Contains("exited 2", error.Message, StringComparison.Ordinal);
        Assert.Contains($"Registry:Enforce:Policy key file '{key}' must be a regular file owned by root (or the service user) and not group- or world-writable", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enforce_TrustedKeyBecomesWritableByOthers_EverythingRefusedWithinTheBound()
    {
        var bound = TimeSpan.FromSeconds(1);
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Enforce, bound);
        var image = await SmallImage.PushAsync(server.Admin, "app", "1");
        await server.SignInTreeAsync("app", "1", image.Digest);
        await server.WaitForStatusAsync("app", "1", HttpStatusCode.OK, TimeSpan.FromSeconds(5));

        // Only the mode changes: whoever is in the group could now swap in their own key.
        File.SetUnixFileMode(server.PublishedKey, File.GetUnixFileMode(server.PublishedKey) | UnixFileMode.GroupWrite);
        await server.WaitForStatusAsync("app", "1", HttpStatusCode.Forbidden, bound + TimeSpan.FromSeconds(3));

        File.SetUnixFileMode(server.PublishedKey, File.GetUnixFileMode(server.PublishedKey) & ~UnixFileMode.GroupWrite);
        await server.WaitForStatusAsync("app", "1", HttpStatusCode.OK, bound + TimeSpan.FromSeconds(3));
    }

    internal static async Task<Digest> PushIndexAsync(HttpClient client, string repository, string tag, params SmallImage[] images)
    {
        var entries = string.Join(',', images.Select(i => $"{{\"mediaType\":\"{MediaTypes.OciManifest}\",\"digest\":\"{i.Digest}\",\"size\":{Encoding.UTF8.GetByteCount(i.Manifest)},\"platform\":{{\"architecture\":\"amd64\",\"os\":\"linux\"}}}}"));
        var index = $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciIndex}\",\"manifests\":[{entries}]}}";
        using var content = new StringContent(index, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.OciIndex);
        using var put = await client.PutAsync($"/v2/{repository}/manifests/{tag}", content);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return Digest.Compute(Encoding.UTF8.GetBytes(index));
    }
}
