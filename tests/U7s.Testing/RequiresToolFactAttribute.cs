using Xunit;

namespace U7s.Testing;

/// <summary>
/// A fact that is skipped, with the reason, when a program it drives is not installed.
/// CI installs every tool, so there these tests always run.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresToolFactAttribute : FactAttribute
{
    public RequiresToolFactAttribute(params string[] tools)
    {
        Tools = tools;
        var missing = tools.Where(t => Tool.Find(t) is null).ToArray();
        if (missing.Length > 0)
        {
            Skip = $"not installed: {string.Join(", ", missing)}";
        }
    }

    public IReadOnlyList<string> Tools { get; }
}
