namespace U7s.Cluster.Accounts;

/// <summary>Exit code and captured output of one program run.</summary>
public sealed record ProcessOutcome(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>The first non-empty line of stderr (or stdout), for one-line error messages.</summary>
    public string FirstErrorLine =>
        (StandardError + "\n" + StandardOutput).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? $"exit {ExitCode}";
}
