namespace U7s.Cli;

/// <summary>The process exit codes of every verb, named once so scripts can rely on them.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Unexpected failure (a bug or an environment problem); the log has the stack.</summary>
    public const int Failure = 1;

    /// <summary>Bad arguments or configuration: the one-line message says which.</summary>
    public const int Usage = 2;

    /// <summary>Input was read but is invalid (archive, manifest, signature, policy).</summary>
    public const int InvalidInput = 3;

    /// <summary>A check refused to go on (unsigned image, missing image, verification failed).</summary>
    public const int Refused = 4;

    /// <summary>The registry or signature store could not be reached or answered an error.</summary>
    public const int Unavailable = 5;
}
