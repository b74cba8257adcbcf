namespace U7s.S3;

/// <summary>The S3 store cannot be used (unreachable, refused credentials, no such bucket and no right to create it).</summary>
public sealed class S3StorageException : Exception
{
    public S3StorageException()
    {
    }

    public S3StorageException(string message)
        : base(message)
    {
    }

    public S3StorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
