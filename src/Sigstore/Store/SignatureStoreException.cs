namespace U7s.Sigstore.Store;

/// <summary>A write the store refuses (limits, unknown index).</summary>
public sealed class SignatureStoreException : Exception
{
    public SignatureStoreException()
    {
    }

    public SignatureStoreException(string message)
        : base(message)
    {
    }

    public SignatureStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
