namespace U7s.Sigstore;

/// <summary>Options of the signature store on :81, bound from the <c>Sigstore</c> section.</summary>
public sealed class SigstoreOptions
{
    public const string SectionName = "Sigstore";

    /// <summary>Listen address <c>host:port</c>; port 0 picks a free port (tests).</summary>
    public string Listen { get; set; } = "0.0.0.0:81";

    /// <summary>The served tree, podsec's layout: <c>index.html</c>, <c>keys/</c>, <c>sigstore/</c>.</summary>
    public string Root { get; set; } = "/var/sigstore";

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
    }
}
