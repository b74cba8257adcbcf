namespace U7s.Sigstore.Store;

/// <summary>
/// A write into the filesystem tree refused because a component of its directory is a symlink or not a
/// directory: writing through it could put the file outside the tree.
/// </summary>
public sealed class UnsafeTreePathException : IOException
{
    public UnsafeTreePathException()
    {
    }

    public UnsafeTreePathException(string message)
        : base(message)
    {
    }

    public UnsafeTreePathException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
