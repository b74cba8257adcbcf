namespace U7s.Cli;

/// <summary>
/// A failure the user can fix: printed as one line on stderr, no stack, and the process exits with
/// <see cref="ExitCode"/>.
/// </summary>
internal sealed class UserException : Exception
{
    public UserException(string message, int exitCode = ExitCodes.Usage)
        : base(message) => ExitCode = exitCode;

    public UserException()
        : this("error")
    {
    }

    public UserException(string message, Exception innerException)
        : base(message, innerException) => ExitCode = ExitCodes.Failure;

    public int ExitCode { get; }
}
