using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace U7s.Server.Hosting;

/// <summary>Loads a server certificate from PEM files at start, with a one-line reason naming the settings of <c>section</c> when it cannot.</summary>
internal static class TlsCertificates
{
    public static X509Certificate2? LoadOrNull(string? certificatePath, string? keyPath, string section)
    {
        if (string.IsNullOrEmpty(certificatePath) || string.IsNullOrEmpty(keyPath))
        {
            return null;
        }

        try
        {
            var certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            if (!certificate.HasPrivateKey)
            {
                throw new ServerException($"{section}:TlsKey '{keyPath}' does not hold the private key of {section}:TlsCertificate '{certificatePath}'");
            }

            return certificate;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException)
        {
            throw new ServerException($"{section}:TlsCertificate '{certificatePath}' with {section}:TlsKey '{keyPath}' cannot be loaded: {e.Message}");
        }
    }
}
