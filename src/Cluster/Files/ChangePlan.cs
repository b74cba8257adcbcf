namespace U7s.Cluster.Files;

/// <summary>
/// What a node verb run with <c>--dry-run</c> would do, in order: every file and directory it would create or
/// change, every account and every program run. The writer, the accounts and the runner given a plan record
/// into it instead of touching anything; reads still happen, so the plan compares against what is there.
/// </summary>
public sealed class ChangePlan
{
    private readonly List<string> _steps = [];

    public IReadOnlyList<string> Steps => _steps;

    public void Add(string step)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (!_steps.Contains(step, StringComparer.Ordinal))
        {
            _steps.Add(step);
        }
    }
}
