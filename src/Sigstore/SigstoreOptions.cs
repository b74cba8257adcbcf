namespace U7s.Sigstore;

/// <summary>Options of the signature store on :81, bound from the <c>Sigstore</c> section.</summary>
public sealed class SigstoreOptions
{
    public const string SectionName = "Sigstore";

    /// <summary>Listen address <c>host:port</c>; port 0 picks a free port (tests).</summary>
    public string Listen { get; set; } = "0.0.0.0:81";

    /// <summary>The served tree, podsec's layout: <c>index.html</c>, <c>keys/</c>, <c>sigstore/</c>.</summary>
    public string Root { get; set; } = "/var/sigstore";
}
