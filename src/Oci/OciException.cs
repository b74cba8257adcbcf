namespace U7s.Oci;

/// <summary>
/// A protocol violation by the client. Thrown below the HTTP layer and turned into the OCI error
/// envelope by one middleware; expected outcomes (absent blob, existing tag) are return values instead.
/// </summary>
public sealed class OciException : Exception
{
    public OciException(OciErrorCode code, string? detail = null)
        : base(detail is null ? OciErrorCodes.Message(code) : $"{OciErrorCodes.Message(code)}: {detail}")
    {
        Code = code;
        Detail = detail;
    }

    public OciException()
        : this(OciErrorCode.Unsupported)
    {
    }

    public OciException(string message)
        : this(OciErrorCode.Unsupported, message)
    {
    }

    public OciException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = OciErrorCode.Unsupported;
        Detail = message;
    }

    public OciErrorCode Code { get; }

    public string? Detail { get; }

    /// <summary>
    /// The envelope's <c>message</c> when the code's default one would hide the cause: skopeo and podman
    /// print only <c>code: message</c>, never <c>detail</c>. Null means the code's default message.
    /// </summary>
    public string? WireMessage { get; init; }

    public int Status => OciErrorCodes.Status(Code);
}
