namespace U7s.Sigstore.Manifests;

/// <summary>The registry could not be asked or answered something other than the manifest or 404.</summary>
public sealed class ManifestSourceException : Exception
{
    public ManifestSourceException()
    {
    }

    public ManifestSourceException(string message)
        : base(message)
    {
    }

    public ManifestSourceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The registry's HTTP status, when it answered with an error.</summary>
    public int? Status { get; init; }

    /// <summary>The first OCI error code of the registry's error body (e.g. <c>DENIED</c>), when it sent one.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>True when the registry answered 403: it refused to serve the manifest (its signature enforcement, or its access rules).</summary>
    public bool IsRefusal => Status == 403;
}
