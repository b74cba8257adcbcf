using U7s.Cluster.Files;

namespace U7s.Cluster.Accounts;

/// <summary>The runner of a <c>--dry-run</c>: records each program it would run into the plan and runs nothing.</summary>
public sealed class PlanningRunner(ChangePlan plan) : IProcessRunner
{
    public Task<ProcessOutcome> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        plan.Add($"run {program} {string.Join(' ', arguments)}");
        return Task.FromResult(new ProcessOutcome(0, string.Empty, string.Empty));
    }
}
