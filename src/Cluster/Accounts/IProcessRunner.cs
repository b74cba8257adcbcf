namespace U7s.Cluster.Accounts;

/// <summary>
/// Runs the node's own programs (groupadd, useradd, usermod, chown, chattr, systemctl). Every node
/// side effect that is not a file write goes through here, so tests can record the exact argv.
/// </summary>
public interface IProcessRunner
{
    /// <summary>
    /// Runs <paramref name="program"/> with exactly <paramref name="arguments"/> (no shell, no
    /// quoting) and returns its exit code and output. MUST NOT throw for a nonzero exit; MUST throw
    /// if the program cannot be started.
    /// </summary>
    Task<ProcessOutcome> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken);
}
