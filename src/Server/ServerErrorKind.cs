namespace U7s.Server;

/// <summary>Why the server did not start; the CLI maps each kind to one exit code.</summary>
public enum ServerErrorKind
{
    /// <summary>A setting is wrong or names a file that is missing or unsafe (exit code 2).</summary>
    Settings,

    /// <summary>A port, the data directories or the store cannot be used (exit code 5).</summary>
    Unavailable,
}
