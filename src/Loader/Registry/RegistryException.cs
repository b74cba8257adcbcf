using System.Net;

namespace U7s.Loader.Registry;

/// <summary>A registry answered with an error status or could not be reached.</summary>
internal sealed class RegistryException : Exception
{
    public RegistryException(string message, HttpStatusCode? status = null, string? code = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
        Code = code;
    }

    public RegistryException()
        : this("registry error")
    {
    }

    public RegistryException(string message)
        : this(message, null, null, null)
    {
    }

    public RegistryException(string message, Exception innerException)
        : this(message, null, null, innerException)
    {
    }

    public HttpStatusCode? Status { get; }

    /// <summary>The first OCI error code of the envelope (<c>MANIFEST_BLOB_UNKNOWN</c>…), if any.</summary>
    public string? Code { get; }
}
