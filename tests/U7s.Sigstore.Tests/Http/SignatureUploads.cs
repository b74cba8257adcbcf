using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Security;
using U7s.Oci;
using U7s.Sigstore.Manifests;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Signing;

namespace U7s.Sigstore.Tests.Http;

/// <summary>What a signature PUT on :81 needs around it: logins, a signer's policy, signatures of the sample key, the request.</summary>
internal static class SignatureUploads
{
    /// <summary>Writes an htpasswd file where every one of <paramref name="users"/> has the password <c>pw</c> (bcrypt, cost 4).</summary>
    public static async Task WriteHtpasswdAsync(string path, params string[] users)
    {
        var salt = new byte[16];
        new SecureRandom().NextBytes(salt);
        await File.WriteAllLinesAsync(path, users.Select(u => $"{u}:{OpenBsdBCrypt.Generate("pw".ToCharArray(), salt, 4)}"));
    }

    /// <summary>A simple signing signature of <paramref name="identity"/> at <paramref name="digest"/> by the sample signer key.</summary>
    public static byte[] Sign(string identity, Digest digest, DateTimeOffset time) =>
        new BouncyCastleOpenPgp().Sign(new SignaturePayload(identity, digest, "test", time.ToUnixTimeSeconds()).ToJsonBytes(), SampleKeys.SignerSecret, SampleKeys.SignerFingerprint, null, SignatureHash.Sha256, time);

    /// <summary>PUTs <paramref name="body"/> as <paramref name="user"/> (password <c>pw</c>) and returns the status.</summary>
    public static async Task<HttpStatusCode> PutAsync(HttpClient client, string path, byte[] body, string user)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new ByteArrayContent(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":pw")));
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>A registry that serves one manifest for every reference.</summary>
    public sealed class FixedManifestSource(byte[] content) : IManifestSource
    {
        public Digest Digest { get; } = Digest.Compute(content);

        public Task<FetchedManifest?> GetManifestOrNullAsync(Reference reference, CancellationToken cancellationToken) =>
            Task.FromResult<FetchedManifest?>(new FetchedManifest(content, "application/vnd.oci.image.manifest.v1+json", Digest));
    }
}
