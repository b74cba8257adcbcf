namespace U7s.Sigstore.OpenPgp;

/// <summary>Key material that cannot be read or used (malformed data, wrong passphrase, unknown key).</summary>
public sealed class OpenPgpException : Exception
{
    public OpenPgpException()
    {
    }

    public OpenPgpException(string message)
        : base(message)
    {
    }

    public OpenPgpException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
