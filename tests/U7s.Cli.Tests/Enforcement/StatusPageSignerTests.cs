using System.Net;
using System.Text.Json;
using U7s.Cli.Tests.Support;
using U7s.Registry.Access;

namespace U7s.Cli.Tests.Enforcement;

/// <summary>
/// Who the status page says signed: only keys the registry trusts (the policy's, and the imagemakers'
/// in the root-owned authorization file) make a signature valid or give it a name; a key anyone put
/// in the served <c>keys/</c> does neither, whatever user id it claims. User ids are UTF-8.
/// </summary>
public sealed class StatusPageSignerTests
{
    private const string Forged = "Release Team <release@example.test>";

    [Fact]
    public async Task KeyOnlyInServedKeys_NeitherValidNorNamed_EvenWhereThePolicyNeedsNoSignature()
    {
        // Published before the start, as an imagemaker can: a key with a user id of her choosing.
        using var dir = new TempDirectory("u7s-enforce");
        var mallory = EnforcedServer.NewKey("Release Team", "release@example.test");
        Directory.CreateDirectory(dir.Combine("sig", "keys"));
        await File.WriteAllBytesAsync(dir.Combine("sig", "keys", "mallory.pgp"), mallory.PublicKey);
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Enforce, TimeSpan.FromHours(1), dir: dir);

        // registry.local/open takes anything: the policy checks no signature there.
        var image = await SmallImage.PushAsync(server.Admin, "open/app", "1");
        await server.SignInTreeAsync(mallory, "registry.local/open/app:1", image.Digest);
        await EnforcedServer.SignInTreeAsync(new U7s.Sigstore.Store.FileSystemSigstoreTree(server.SigstoreRoot), "open/app", "1", image.Digest);

        var signatures = (await ImagesAsync(server, "?repository=open/app")).Single().GetProperty("signatures");
        var forged = signatures[0];
        Assert.False(forged.GetProperty("isValid").GetBoolean());
        Assert.False(forged.TryGetProperty("signer", out _));
        Assert.Contains("no public key", forged.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var trusted = signatures[1];
        Assert.True(trusted.GetProperty("isValid").GetBoolean());
        Assert.Equal("U7s Sample Signer (THROWAWAY) <signer@example.test>", trusted.GetProperty("signer").GetString());

        Assert.Empty(await ImagesAsync(server, "?signer=Release"));
        Assert.DoesNotContain(Forged.Split(' ')[0], await server.Anonymous.GetStringAsync("/ui/"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CyrillicUserId_ShownAsWritten_AndFoundByTheSignerFilter()
    {
        var ivan = EnforcedServer.NewKey("Иван Петров", "ivan@example.test");
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Enforce, TimeSpan.FromHours(1), signers: new Dictionary<string, byte[]> { ["ivan"] = ivan.PublicKey });
        var image = await SmallImage.PushAsync(server.Admin, "open/cyr", "1");
        await server.SignInTreeAsync(ivan, "registry.local/open/cyr:1", image.Digest);
        var found = Assert.Single(await ImagesAsync(server, "?signer=" + Uri.EscapeDataString("Иван")));
        var signature = found.GetProperty("signatures")[0];
        Assert.Equal("Иван Петров <ivan@example.test>", signature.GetProperty("signer").GetString());
        Assert.True(signature.GetProperty("isValid").GetBoolean());
        Assert.Equal(ivan.Fingerprint, signature.GetProperty("fingerprint").GetString());

        var html = await server.Anonymous.GetStringAsync("/ui/?signer=" + Uri.EscapeDataString("петров"));
        Assert.Contains("signature-1 by Иван Петров &lt;ivan@example.test&gt;", html, StringComparison.Ordinal);
        Assert.Empty(await ImagesAsync(server, "?signer=" + Uri.EscapeDataString("Ð")));
    }

    private static async Task<List<JsonElement>> ImagesAsync(EnforcedServer server, string query)
    {
        using var response = await server.Anonymous.GetAsync("/ui/status.json" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("images").EnumerateArray().Select(e => e.Clone()).ToList();
    }
}
