using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Security;
using U7s.Oci;
using U7s.Security.Signers;
using U7s.Sigstore.Manifests;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Signing;
using U7s.Sigstore.Store;
using U7s.Sigstore.Tests.OpenPgp;
using Xunit.Abstractions;

namespace U7s.Sigstore.Tests.Http;

/// <summary>Authenticated PUT of signatures on :81 against a real docker-registry holding the image.</summary>
public sealed class SignatureUploadTests(ITestOutputHelper output) : IAsyncLifetime, IDisposable
{
    private readonly BouncyCastleOpenPgp _pgp = new();
    private DebianDockerRegistry? _registry;
    private SigstoreServer? _server;
    private TempDirectory? _work;
    private Digest _digest;
    private string _reference = string.Empty;

    public async Task InitializeAsync()
    {
        if (Tool.Find("skopeo") is null || Tool.Find("docker-registry") is null)
        {
            return;
        }

        _registry = await DebianDockerRegistry.StartAsync();
        _work = new TempDirectory("u7s-upload");
        var htpasswd = _work.Combine("htpasswd");
        await File.WriteAllTextAsync(htpasswd, $"imagemaker:{Bcrypt("pw")}\nother:{Bcrypt("pw2")}\nplain:secret\n");
        var signers = TestSigners.Write(_work.Combine("signers.json"), TestSigners.Policy(($"{_registry.HostPort}/ns", "imagemaker"), ($"{_registry.HostPort}/other", "other")),
            ("imagemaker", SampleKeys.SignerPublic), ("other", SampleKeys.ProtectedPublic));
        _server = await SigstoreServer.StartAsync(s => s.AddSingleton<ISignerSource>(new SignersFile(signers)), o => o.HtpasswdPath = htpasswd);

        var layout = _work.Combine("layout");
        TestImageLayout.Write(layout, "img", "upload");
        await File.WriteAllTextAsync(_work.Combine("policy-any.json"), """{"default":[{"type":"insecureAcceptAnything"}]}""");
        _reference = $"{_registry.HostPort}/ns/app:v1";
        (await ExternalProcess.RunAsync("skopeo", ["--policy", _work.Combine("policy-any.json"), "copy", "-q", "--dest-tls-verify=false", $"oci:{layout}:img", $"docker://{_reference}"]))
            .EnsureSuccess("skopeo push");
        using var http = new HttpClient();
        _digest = (await new HttpManifestSource(http).GetManifestOrNullAsync(Reference.Parse(_reference), default))!.Digest;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }

    }

    public void Dispose() => _work?.Dispose();

    private static string Bcrypt(string password)
    {
        var salt = new byte[16];
        new SecureRandom().NextBytes(salt);
        return OpenBsdBCrypt.Generate(password.ToCharArray(), salt, 4);
    }

    private static byte[] Sign(string identity, Digest digest, bool other = false) =>
        new BouncyCastleOpenPgp().Sign(
            new SignaturePayload(identity, digest, "test", 1).ToJsonBytes(),
            other ? SampleKeys.ProtectedSecret : SampleKeys.SignerSecret,
            other ? SampleKeys.ProtectedFingerprint : SampleKeys.SignerFingerprint,
            other ? SampleKeys.ProtectedPassphrase : null,
            SignatureHash.Sha256,
            DateTimeOffset.UtcNow);

    private async Task<HttpResponseMessage> PutAsync(string path, byte[] body, string? user = "imagemaker", string password = "pw")
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new ByteArrayContent(body) };
        if (user is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }

        return await _server!.Client.SendAsync(request);
    }

    private string PathFor(string repository, Digest digest) => $"/sigstore/{SignatureStore.RelativeDirectory(RepositoryName.Parse(repository), digest)}/signature";

    private int StoredCount(string repository, Digest digest) =>
        Directory.Exists(Path.Combine(_server!.Root.Path, "sigstore", SignatureStore.RelativeDirectory(RepositoryName.Parse(repository), digest)))
            ? Directory.GetFiles(Path.Combine(_server.Root.Path, "sigstore", SignatureStore.RelativeDirectory(RepositoryName.Parse(repository), digest)), "signature-*").Length
            : 0;

    [RequiresToolFact("skopeo", "docker-registry")]
    public async Task Put_VerifiedSignatureOfRegisteredSigner_IsStoredOnce()
    {
        var blob = Sign(_reference, _digest);

        using var created = await PutAsync(PathFor("ns/app", _digest), blob);
        using var again = await PutAsync(PathFor("ns/app", _digest), blob);
        using var fetched = await _server!.Client.GetAsync(created.Headers.Location);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(PathFor("ns/app", _digest) + "-1", created.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(blob, await fetched.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, StoredCount("ns/app", _digest));
    }

    [RequiresToolFact("skopeo", "docker-registry")]
    public async Task Put_WithoutOrWithBadCredentials_Is401()
    {
        var blob = Sign(_reference, _digest);

        using var none = await PutAsync(PathFor("ns/app", _digest), blob, user: null);
        using var wrong = await PutAsync(PathFor("ns/app", _digest), blob, password: "nope");
        using var plainHash = await PutAsync(PathFor("ns/app", _digest), blob, user: "plain", password: "secret");

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Contains("Basic", none.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, plainHash.StatusCode);
        Assert.Equal(0, StoredCount("ns/app", _digest));
    }

    [RequiresToolFact("skopeo", "docker-registry")]
    public async Task Put_Refusals_StoreNothing()
    {
        var otherDigest = Digest.Compute("not served"u8);

        using var notUsersKey = await PutAsync(PathFor("ns/app", _digest), Sign(_reference, _digest), user: "other", password: "pw2");
        using var outsideScope = await PutAsync(PathFor("ns/app", _digest), Sign(_reference, _digest, other: true), user: "other", password: "pw2");
        using var otherRepository = await PutAsync(PathFor("ns/else", _digest), Sign(_reference, _digest));
        using var otherDigestInPath = await PutAsync(PathFor("ns/app", otherDigest), Sign(_reference, _digest));
        using var notServed = await PutAsync(PathFor("ns/missing", otherDigest), Sign($"{_registry!.HostPort}/ns/missing:v1", otherDigest));
        using var garbage = await PutAsync(PathFor("ns/app", _digest), "-----BEGIN PGP MESSAGE-----"u8.ToArray());
        using var badPath = await PutAsync("/sigstore/ns/app/signature", Sign(_reference, _digest));
        using var traversal = await PutAsync("/sigstore/%2e%2e/x@sha256=" + _digest.Hex + "/signature", Sign(_reference, _digest));

        Assert.Equal(HttpStatusCode.BadRequest, notUsersKey.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, outsideScope.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, otherRepository.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, otherDigestInPath.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notServed.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badPath.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, traversal.StatusCode);
        Assert.Equal(0, StoredCount("ns/app", _digest) + StoredCount("ns/else", _digest) + StoredCount("ns/app", otherDigest) + StoredCount("ns/missing", otherDigest));
    }

    [RequiresToolFact("skopeo", "docker-registry")]
    public async Task Put_TrustedSignatureOfPayloadWithInvalidUtf8_Is400()
    {
        var payload = new SignaturePayload(_reference, _digest, "u7s ~", 1).ToJsonBytes();
        var inCreator = payload.ToArray();
        inCreator[Array.IndexOf(inCreator, (byte)'~')] = 0xFF;
        var inName = payload.ToArray();
        inName[inName.AsSpan().IndexOf("creator"u8)] = 0xFF;

        using var creator = await PutAsync(PathFor("ns/app", _digest), SignRaw(inCreator));
        using var name = await PutAsync(PathFor("ns/app", _digest), SignRaw(inName));

        Assert.Equal(HttpStatusCode.BadRequest, creator.StatusCode);
        Assert.Equal("the signed payload is not valid UTF-8\n", await creator.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, name.StatusCode);
        Assert.Equal(0, StoredCount("ns/app", _digest));
    }

    [RequiresToolFact("skopeo", "docker-registry")]
    public async Task Put_BytesAfterTheSignedMessage_Is400_TheMessageAloneIsStored()
    {
        // gpg's shape: one compressed packet of indeterminate length; gpgme ignores what follows the compressed stream.
        var message = PacketRewriter.Compress(1, s => s.Write(Sign(_reference, _digest)));

        using var trailing = await PutAsync(PathFor("ns/app", _digest), [.. message, .. "appended"u8]);
        var storedAfterTrailing = StoredCount("ns/app", _digest);
        using var exact = await PutAsync(PathFor("ns/app", _digest), message);

        Assert.Equal(HttpStatusCode.BadRequest, trailing.StatusCode);
        Assert.Equal("8 bytes follow the signed message\n", await trailing.Content.ReadAsStringAsync());
        Assert.Equal(0, storedAfterTrailing);
        Assert.Equal(HttpStatusCode.Created, exact.StatusCode);
    }

    [RequiresToolFact("skopeo", "docker-registry")]
    public async Task Put_IdentityWithTagAndDigest_Is400()
    {
        // v2 is not this manifest (it does not even exist); with the digest in the claim the registry check would look up the digest.
        var claim = $"{_registry!.HostPort}/ns/app:v2@{_digest}";

        using var response = await PutAsync(PathFor("ns/app", _digest), Sign(claim, _digest));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal($"Signature for identity {claim} is not accepted\n", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, StoredCount("ns/app", _digest));
    }

    [RequiresToolFact("skopeo", "docker-registry")]
    public async Task Put_CompressedPacketFlood_Is400Quickly()
    {
        // A real signature by the user's key, then 16 MiB of marker packets compressed into about 90 KB.
        var markers = new byte[64 * 1024 / 5 * 5];
        for (var at = 0; at < markers.Length; at += 5)
        {
            new byte[] { 0xA8, 0x03, (byte)'P', (byte)'G', (byte)'P' }.CopyTo(markers, at);
        }

        var bomb = PacketRewriter.Compress(1, s =>
        {
            s.Write(Sign(_reference, _digest));
            for (var i = 0; i < 256; i++)
            {
                s.Write(markers);
            }
        });
        var watch = System.Diagnostics.Stopwatch.StartNew();

        using var response = await PutAsync(PathFor("ns/app", _digest), bomb);

        output.WriteLine($"{bomb.Length} bytes refused in {watch.ElapsedMilliseconds} ms");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Invalid GPG signature: more than 16 packets in a signed message\n", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, StoredCount("ns/app", _digest));
    }

    private static byte[] SignRaw(byte[] payload) =>
        new BouncyCastleOpenPgp().Sign(payload, SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, null, SignatureHash.Sha256, DateTimeOffset.UtcNow);
}
