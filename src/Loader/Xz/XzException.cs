namespace U7s.Loader.Xz;

/// <summary>The xz data could not be decoded or encoded; the message says why in one line.</summary>
internal sealed class XzException : IOException
{
    public XzException()
    {
    }

    public XzException(string message)
        : base(message)
    {
    }

    public XzException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
