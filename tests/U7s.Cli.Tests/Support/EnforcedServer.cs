using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using U7s.Oci;
using U7s.Registry;
using U7s.Registry.Access;
using U7s.S3;
using U7s.Security.Login;
using U7s.Security.Signers;
using U7s.Server.Hosting;
using U7s.Sigstore;
using U7s.Sigstore.Keys;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Signing;
using U7s.Sigstore.Store;

namespace U7s.Cli.Tests.Support;

/// <summary>
/// The real <c>u7s serve</c> host (both ports, in this process, on 127.0.0.1:0) enforcing a node policy:
/// <c>registry.local</c> needs a signature by the sample signer (published as <c>keys/admin.pgp</c>),
/// <c>registry.local/open</c> takes anything, everything else is rejected. <c>admin</c> may push
/// everywhere; <see cref="Anonymous"/> pulls as a node does.
/// </summary>
internal sealed class EnforcedServer : IAsyncDisposable
{
    public const string Password = "admin-pw";

    private readonly ServerHost _host;
    private readonly Dictionary<string, byte[]> _signers;

    private EnforcedServer(TempDirectory dir, ServerHost host, string sigstoreRoot, string policyPath, Dictionary<string, byte[]> signers)
    {
        _signers = signers;
        Dir = dir;
        _host = host;
        SigstoreRoot = sigstoreRoot;
        PolicyPath = policyPath;
        Admin = new HttpClient { BaseAddress = host.RegistryUrl };
        Admin.DefaultRequestHeaders.Authorization = Basic("admin", Password);
        Anonymous = new HttpClient { BaseAddress = host.RegistryUrl };
        Store = new HttpClient { BaseAddress = host.SigstoreUrl };
        Store.DefaultRequestHeaders.Authorization = Basic("admin", Password);
    }

    public TempDirectory Dir { get; }

    public string SigstoreRoot { get; }

    public string PolicyPath { get; }

    public string PublishedKey => Path.Combine(SigstoreRoot, "keys", "admin.pgp");

    public HttpClient Admin { get; }

    public HttpClient Anonymous { get; }

    /// <summary>The signature store port, logged in as admin (an imagemaker for registry.local).</summary>
    public HttpClient Store { get; }

    public Uri RegistryUrl => _host.RegistryUrl;

    public Uri SigstoreUrl => _host.SigstoreUrl;

    /// <summary>The authorization file (<c>Auth:Signers</c>): admin, and whoever <see cref="RegisterSigner"/> adds.</summary>
    public string SignersPath => Dir.Combine("signers.json");

    /// <summary>Adds an imagemaker's public key to the authorization file, as root's <c>create-imagemakeruser</c> does; read within RecheckAfter.</summary>
    public void RegisterSigner(string user, byte[] armoredPublicKey)
    {
        _signers[user] = armoredPublicKey;
        WriteSigners(SignersPath, _signers);
    }

    private static string WriteSigners(string path, Dictionary<string, byte[]> signers) =>
        TestSigners.Write(path, Policy("/var/sigstore/keys/admin.pgp"), signers.Select(p => (p.Key, p.Value)).ToArray());

    /// <summary>A new Ed25519 signer key for <c>Name &lt;email&gt;</c>, unprotected.</summary>
    public static SignerKey NewKey(string name, string email)
    {
        var pgp = new BouncyCastleOpenPgp();
        var secret = pgp.GenerateSecretKey(new KeyGenerationRequest(name, email, KeySpec.Ed25519, null, DateTimeOffset.UtcNow));
        var fingerprint = pgp.ReadSecretKeys(secret, DateTimeOffset.UtcNow)[0].Fingerprint;
        return new SignerKey(fingerprint, secret, pgp.ExportPublicKey(secret, fingerprint, armored: true), null);
    }

    /// <summary>Signs <paramref name="identity"/> → <paramref name="digest"/> with <paramref name="key"/> straight into the tree.</summary>
    public async Task SignInTreeAsync(SignerKey key, string identity, Digest digest)
    {
        var signer = new ImageSigner(new BouncyCastleOpenPgp(), new SignatureStore(new FileSystemSigstoreTree(SigstoreRoot)), TimeProvider.System, "u7s test");
        await signer.SignAsync(Reference.Parse(identity), digest, key, force: true, CancellationToken.None);
    }

    public static string Policy(string keyPath) =>
        "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{"
        + "\"registry.local\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"" + keyPath + "\"}],"
        + "\"registry.local/open\":[{\"type\":\"insecureAcceptAnything\"}]}}}";

    /// <param name="signers">Imagemakers besides admin in the authorization file: user → armored public key.</param>
    public static async Task<EnforcedServer> StartAsync(EnforceMode mode, TimeSpan recheckAfter, bool anonymousPull = true, S3StorageOptions? s3 = null, TempDirectory? dir = null, IReadOnlyDictionary<string, byte[]>? signers = null)
    {
        dir ??= new TempDirectory("u7s-enforce");
        var sigstoreRoot = dir.Combine("sig");
        Directory.CreateDirectory(Path.Combine(sigstoreRoot, "keys"));
        await File.WriteAllBytesAsync(Path.Combine(sigstoreRoot, "keys", "admin.pgp"), SampleKeys.SignerPublic);

        // admin is also the imagemaker for all of registry.local, so it may PUT signatures on :81.
        await File.WriteAllTextAsync(Path.Combine(sigstoreRoot, "keys", "policy.json"), Policy("/var/sigstore/keys/admin.pgp"));
        // Rights come only from the authorization file (root-owned on a node; the test user's here).
        var allSigners = new Dictionary<string, byte[]>(signers ?? new Dictionary<string, byte[]>(), StringComparer.Ordinal) { ["admin"] = SampleKeys.SignerPublic };
        var signersPath = WriteSigners(dir.Combine("signers.json"), allSigners);
        if (s3 is not null)
        {
            var bucket = S3Bucket.Open(s3);
            await bucket.PutAsync(SignersDocument.S3Key, File.ReadAllBytes(signersPath), CancellationToken.None);
            var tree = new U7s.S3.Sigstore.S3SigstoreTree(bucket);
            await tree.WriteAsync("keys/admin.pgp", SampleKeys.SignerPublic, CancellationToken.None);
            await tree.WriteAsync("keys/policy.json", File.ReadAllBytes(Path.Combine(sigstoreRoot, "keys", "policy.json")), CancellationToken.None);
        }

        var policyPath = dir.Combine("node-policy.json");
        if (!File.Exists(policyPath))
        {
            await File.WriteAllTextAsync(policyPath, Policy(Path.Combine(sigstoreRoot, "keys", "admin.pgp")));
        }

        var htpasswd = dir.Combine("htpasswd");
        new HtpasswdFile(htpasswd).Set("admin", Password);
        var registry = new RegistryOptions
        {
            Listen = "127.0.0.1:0",
            DataRoot = dir.Combine("data-" + Guid.NewGuid().ToString("N")[..8]),
            Auth = { Htpasswd = htpasswd, Signers = signersPath, AnonymousPull = anonymousPull, Writers = { ["admin"] = ["*"] } },
            Enforce = { Mode = mode, Policy = policyPath, RecheckAfter = recheckAfter },
        };
        Assert.Empty(registry.Validate());
        // As ServeConfiguration binds it: the signature store's logins come from the one htpasswd file.
        var sigstore = new SigstoreOptions { Listen = "127.0.0.1:0", Root = sigstoreRoot, HtpasswdPath = htpasswd };
        var host = new ServerHost(registry, sigstore, l => l.ClearProviders(), s3);
        await host.StartAsync(CancellationToken.None);
        return new EnforcedServer(dir, host, sigstoreRoot, policyPath, allSigners);
    }

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}")));

    /// <summary>Signs <c>registry.local/&lt;repository&gt;:&lt;tag&gt;</c> → <paramref name="digest"/> straight into the tree, as <c>u7s sign</c> and the loader do (not through :81).</summary>
    public Task SignInTreeAsync(string repository, string tag, Digest digest, string? identity = null) =>
        SignInTreeAsync(new FileSystemSigstoreTree(SigstoreRoot), repository, tag, digest, identity);

    /// <summary>Signs into the server's own signature store, in its process, as no HTTP request does: nothing is audited.</summary>
    public Task SignThroughTheServersStoreAsync(string repository, string tag, Digest digest) =>
        SignAsync(_host.Signatures, repository, tag, digest, null);

    public static Task SignInTreeAsync(ISigstoreTree tree, string repository, string tag, Digest digest, string? identity = null) =>
        SignAsync(new SignatureStore(tree), repository, tag, digest, identity);

    private static async Task SignAsync(SignatureStore store, string repository, string tag, Digest digest, string? identity)
    {
        var key = new SignerKey(SampleKeys.SignerFingerprint, SampleKeys.SignerSecret, SampleKeys.SignerPublic, null);
        var signer = new ImageSigner(new BouncyCastleOpenPgp(), store, TimeProvider.System, "u7s test");
        await signer.SignAsync(Reference.Parse(identity ?? $"registry.local/{repository}:{tag}"), digest, key, force: true, CancellationToken.None);
    }

    public Task<HttpResponseMessage> GetManifestAsync(string repository, string reference, HttpMethod? method = null, HttpClient? client = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Get, $"/v2/{repository}/manifests/{reference}");
        request.Headers.Accept.ParseAdd(MediaTypes.OciManifest);
        request.Headers.Accept.ParseAdd(MediaTypes.OciIndex);
        return (client ?? Anonymous).SendAsync(request);
    }

    /// <summary>Polls an anonymous GET until it answers <paramref name="status"/>; returns how long that took.</summary>
    public async Task<TimeSpan> WaitForStatusAsync(string repository, string reference, System.Net.HttpStatusCode status, TimeSpan limit)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            using (var response = await GetManifestAsync(repository, reference))
            {
                if (response.StatusCode == status)
                {
                    return watch.Elapsed;
                }
            }

            Assert.True(watch.Elapsed < limit, $"{repository}:{reference} did not answer {status} within {limit}");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        Anonymous.Dispose();
        Store.Dispose();
        await _host.StopAsync();
        await _host.DisposeAsync();
        Dir.Dispose();
    }
}
