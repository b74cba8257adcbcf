namespace U7s.Oci;

/// <summary>
/// The one failure every storage seam (the registry's blob and metadata stores and lock, the signature tree, the
/// signer source) reports for its store itself, whatever the backend's own client throws: the S3 backend wraps its
/// SDK's exceptions, timeouts and connection errors in it. It is an <see cref="IOException"/>, so code that treats
/// a failed disk read as an I/O failure treats a failed store the same way. The message is one line that names the
/// store and the operation; the registry answers <see cref="StorageFailure.Unavailable"/> with 503 UNAVAILABLE, the
/// CLI with exit code 5.
/// </summary>
public sealed class StorageException : IOException
{
    public StorageException(StorageFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
    }

    public StorageException()
        : this(StorageFailure.Unavailable, "the store is unavailable")
    {
    }

    public StorageException(string message)
        : this(StorageFailure.Unavailable, message)
    {
    }

    public StorageException(string message, Exception innerException)
        : this(StorageFailure.Unavailable, message, innerException)
    {
    }

    public StorageFailure Failure { get; }

    /// <summary>True when the store did not answer (in time, or at all): worth trying again later.</summary>
    public bool IsUnavailable => Failure == StorageFailure.Unavailable;
}
