using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace U7s.Cluster.Kubeadm;

/// <summary>
/// Grammars and generators of the kubeadm join secrets (SPEC §5.2-5.3): bootstrap token
/// <c>[a-z0-9]{6}.[a-z0-9]{16}</c>, certificate key of 32 random bytes as 64 hex, CA hash
/// <c>sha256:&lt;64 hex&gt;</c> of the CA certificate's SubjectPublicKeyInfo.
/// </summary>
public static partial class JoinSecrets
{
    private const string TokenAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static bool IsToken(string? value) => value is not null && Token().IsMatch(value);

    public static bool IsCertificateKey(string? value) => value is not null && CertificateKey().IsMatch(value);

    public static bool IsCaCertHash(string? value) => value is not null && CaCertHash().IsMatch(value);

    public static string NewToken() =>
        $"{RandomNumberGenerator.GetString(TokenAlphabet, 6)}.{RandomNumberGenerator.GetString(TokenAlphabet, 16)}";

    public static string NewCertificateKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>The CA hash of a DER SubjectPublicKeyInfo, as <c>kubeadm join --discovery-token-ca-cert-hash</c> takes it.</summary>
    public static string CaCertHashOf(ReadOnlySpan<byte> subjectPublicKeyInfo) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo));

    [GeneratedRegex("^[a-z0-9]{6}\\.[a-z0-9]{16}$", RegexOptions.CultureInvariant)]
    private static partial Regex Token();

    [GeneratedRegex("^[a-f0-9]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex CertificateKey();

    [GeneratedRegex("^sha256:[a-f0-9]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex CaCertHash();
}
