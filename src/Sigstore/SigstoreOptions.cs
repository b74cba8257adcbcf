namespace U7s.Sigstore;

/// <summary>Options of the signature store on :81, bound from the <c>Sigstore</c> section.</summary>
public sealed class SigstoreOptions
{
    public const string SectionName = "Sigstore";

    /// <summary>Listen address <c>host:port</c>; port 0 picks a free port (tests).</summary>
    public string Listen { get; set; } = "0.0.0.0:81";

    /// <summary>The served tree, podsec's layout: <c>index.html</c>, <c>keys/</c>, <c>sigstore/</c>.</summary>
    public string Root { get; set; } = "/var/sigstore";

    /// <summary>
    /// htpasswd file (bcrypt) of imagemakers allowed to PUT signatures; null disables uploads
    /// (the server is then read-only and PUT answers 405).
    /// </summary>
    public string? HtpasswdPath { get; set; }

    /// <summary>Base URL of the registry whose manifests uploads are checked against; null means <c>http://&lt;identity host&gt;/</c>.</summary>
    public string? RegistryUrl { get; set; }

    /// <summary>PEM certificate (chain) for HTTPS on the store's port; plain HTTP when unset, as podsec nodes expect.</summary>
    public string? TlsCertificate { get; set; }

    /// <summary>PEM private key of <see cref="TlsCertificate"/>.</summary>
    public string? TlsKey { get; set; }

    /// <summary>Returns every problem with these options, as one-line messages.</summary>
    public IEnumerable<string> Validate()
    {
        if (!U7s.Oci.ListenAddress.TryParse(Listen, out _))
        {
            yield return $"Sigstore:Listen '{Listen}' is not host:port (e.g. 0.0.0.0:81 or 127.0.0.1:5001)";
        }

        if (string.IsNullOrWhiteSpace(Root) || !Path.IsPathFullyQualified(Root))
        {
            yield return $"Sigstore:Root '{Root}' must be an absolute path";
        }

        if (HtpasswdPath is { } htpasswd && !File.Exists(htpasswd))
        {
            yield return $"Sigstore:HtpasswdPath '{htpasswd}' does not exist: create it or remove the setting";
        }

        foreach (var problem in U7s.Oci.TlsFiles.Problems(SectionName, TlsCertificate, TlsKey))
        {
            yield return problem;
        }
    }
}
