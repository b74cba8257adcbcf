namespace U7s.Cli.Wiring.Login;

/// <summary>An auth file that cannot be used; the message names the file and never a credential.</summary>
internal sealed class AuthFileException(string message) : Exception(message)
{
    public AuthFileException()
        : this("auth file error")
    {
    }

    public AuthFileException(string message, Exception innerException)
        : this(message + ": " + innerException.Message)
    {
    }
}
