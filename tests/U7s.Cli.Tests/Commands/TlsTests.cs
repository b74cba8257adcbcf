using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

/// <summary>HTTPS on the registry port from PEM files; plain HTTP stays the default.</summary>
public sealed class TlsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Registry_ServesHttpsFromPem_AndSkopeoCopies()
    {
        var (cert, key) = WriteSelfSigned();
        var env = new Dictionary<string, string> { ["U7S_REGISTRY__TLSCERTIFICATE"] = cert, ["U7S_REGISTRY__TLSKEY"] = key };
        await using var server = await U7sProcess.StartAsync(_dir.Combine("data"), _dir.Combine("sig"), env);
        Assert.Equal("https", server.RegistryUrl.Scheme);
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, c, _, _) => c?.Subject == "CN=registry.local" };
        using var client = new HttpClient(handler);
        using var response = await client.GetAsync(new Uri(server.RegistryUrl, "/v2/"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        if (Tool.Find("skopeo") is not null)
        {
            using var tools = new ContainerTools();
            var layout = new OciLayoutBuilder(tools.NewDirectory("layout"));
            layout.AddImage("img");
            layout.Write();
            var target = $"docker://{server.RegistryUrl.Host}:{server.RegistryUrl.Port}/tls/app:v1";
            (await tools.SkopeoAsync("--policy", tools.AnyPolicy, "copy", "-q", "--dest-tls-verify=false", $"oci:{layout.Directory}:img", target)).EnsureSuccess("skopeo over https");
            (await tools.SkopeoAsync("inspect", "--raw", "--tls-verify=false", target)).EnsureSuccess("inspect over https");
        }
    }

    [Fact]
    public async Task SignatureStore_ServesHttpsFromPem_RegistryStaysHttp()
    {
        var (cert, key) = WriteSelfSigned();
        Directory.CreateDirectory(_dir.Combine("sig", "keys"));
        await File.WriteAllTextAsync(_dir.Combine("sig", "keys", "imagemaker.pgp"), "key");
        var env = new Dictionary<string, string> { ["U7S_SIGSTORE__TLSCERTIFICATE"] = cert, ["U7S_SIGSTORE__TLSKEY"] = key };
        await using var server = await U7sProcess.StartAsync(_dir.Combine("data"), _dir.Combine("sig"), env);
        Assert.Equal("https", server.SigstoreUrl.Scheme);
        Assert.Equal("http", server.RegistryUrl.Scheme);
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, c, _, _) => c?.Subject == "CN=registry.local" };
        using var client = new HttpClient(handler);
        var listing = await client.GetStringAsync(new Uri(server.SigstoreUrl, "/keys/"));
        Assert.Contains("\"name\":\"imagemaker.pgp\"", listing, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, false, "go together")]
    [InlineData(true, true, "cannot be loaded")]
    public async Task BadTlsSettings_OneLineError(bool setCertificate, bool setKey, string expected)
    {
        var certificate = _dir.Combine("c.pem");
        var key = _dir.Combine("k.pem");
        await File.WriteAllTextAsync(certificate, "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n");
        await File.WriteAllTextAsync(key, "garbage");
        var args = new List<string> { "serve", "--data", _dir.Combine("d"), "--sigstore-root", _dir.Combine("s"), "--registry-listen", "127.0.0.1:0", "--sigstore-listen", "127.0.0.1:0" };
        var file = _dir.Combine("u7s.json");
        await File.WriteAllTextAsync(file, $"{{\"Registry\":{{{(setCertificate ? $"\"TlsCertificate\":\"{certificate}\"" : "")}{(setCertificate && setKey ? "," : "")}{(setKey ? $"\"TlsKey\":\"{key}\"" : "")}}}}}");
        args.AddRange(["--config", file]);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync([.. args], stdout, stderr, CancellationToken.None);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(expected, stderr.ToString(), StringComparison.Ordinal);
        Assert.Single(stderr.ToString().TrimEnd().Split('\n'));
    }

    private (string Certificate, string Key) WriteSelfSigned()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=registry.local", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certPath = _dir.Combine("registry.crt");
        var keyPath = _dir.Combine("registry.key");
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, rsa.ExportPkcs8PrivateKeyPem());
        return (certPath, keyPath);
    }

    public void Dispose() => _dir.Dispose();
}
