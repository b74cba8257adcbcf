using System.Text.RegularExpressions;

namespace U7s.Cluster.Kubeadm;

/// <summary>
/// Reads what <c>kubeadm init</c> prints and hides the certificate key in it: with
/// <c>--upload-certs</c> kubeadm prints the key on its own line and in the control-plane join command,
/// and that key grants access to the cluster's secrets (SPEC §5.3).
/// </summary>
public static partial class KubeadmOutput
{
    public const string Hidden = "<certificate key hidden>";

    public static string Redact(string text) =>
        KeyLine().Replace(CertificateKeyFlag().Replace(text ?? string.Empty, "--certificate-key " + Hidden), Hidden);

    /// <summary>The CA hash of the first <c>kubeadm join … --discovery-token-ca-cert-hash</c> in the output, or null.</summary>
    public static string? CaCertHash(string text)
    {
        var match = CaHash().Match((text ?? string.Empty).Replace("\\\n", " ", StringComparison.Ordinal));
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex("--certificate-key\\s+[0-9a-f]{64}", RegexOptions.CultureInvariant)]
    private static partial Regex CertificateKeyFlag();

    [GeneratedRegex("(?m)^[ \\t]*[0-9a-f]{64}[ \\t]*$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyLine();

    [GeneratedRegex("--discovery-token-ca-cert-hash\\s+(sha256:[0-9a-f]{64})", RegexOptions.CultureInvariant)]
    private static partial Regex CaHash();
}
