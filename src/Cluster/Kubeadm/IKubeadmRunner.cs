namespace U7s.Cluster.Kubeadm;

/// <summary>Runs the node's <c>kubeadm</c> binary.</summary>
public interface IKubeadmRunner
{
    /// <summary>
    /// Contract: runs <c>kubeadm</c> with exactly <paramref name="arguments"/> (the subcommand first,
    /// e.g. <c>init --config FILE --upload-certs -v 5</c>), letting its output through to the
    /// administrator as it runs, and returns the exit code and the captured stdout (the join commands
    /// are parsed from it). MUST NOT add, drop or reorder arguments.
    /// </summary>
    Task<KubeadmOutcome> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken);

    /// <summary>Why <c>kubeadm</c> could not be run here (not installed), or null when it can; the preflight and dry runs say so ahead of the real run.</summary>
    string? MissingProblem() => null;
}
