namespace U7s.Native;

/// <summary>
/// A read or write refused because a component of its path is a symlink (where none may be followed) or not a
/// directory: going through it could reach a file outside the tree the caller meant.
/// </summary>
public sealed class UnsafePathException : IOException
{
    public UnsafePathException()
    {
    }

    public UnsafePathException(string message)
        : base(message)
    {
    }

    public UnsafePathException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
