namespace U7s.Server;

/// <summary>
/// The server cannot start for a reason the administrator can fix (a bad setting, a store it cannot reach):
/// the CLI prints the message as one line and maps <see cref="Kind"/> to an exit code.
/// </summary>
public sealed class ServerException : Exception
{
    public ServerException(string message, ServerErrorKind kind = ServerErrorKind.Settings)
        : base(message) => Kind = kind;

    public ServerException()
        : this("the server cannot start")
    {
    }

    public ServerException(string message, Exception innerException)
        : base(message, innerException) => Kind = ServerErrorKind.Unavailable;

    public ServerErrorKind Kind { get; }
}
