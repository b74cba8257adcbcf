namespace U7s.Sigstore.Keys;

/// <summary>A key the user cannot use as asked (missing, ambiguous, expired, wrong passphrase…); the message says which.</summary>
public sealed class KeyStoreException : Exception
{
    public KeyStoreException()
    {
    }

    public KeyStoreException(string message)
        : base(message)
    {
    }

    public KeyStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
