namespace U7s.Loader.Loading;

/// <summary>A load or save failed for a reason the user can act on; the message is one line.</summary>
internal sealed class LoadException : Exception
{
    public LoadException(LoadErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException) => Kind = kind;

    public LoadException()
        : this(LoadErrorKind.Usage, "load failed")
    {
    }

    public LoadException(string message)
        : this(LoadErrorKind.Usage, message)
    {
    }

    public LoadException(string message, Exception innerException)
        : this(LoadErrorKind.Usage, message, innerException)
    {
    }

    public LoadErrorKind Kind { get; }
}
