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
        Skip = SkipReason(tools);
    }

    public IReadOnlyList<string> Tools { get; }

    /// <summary>"not installed: …" naming the missing programs, or null when all are there.</summary>
    internal static string? SkipReason(string[] tools)
    {
        var missing = tools.Where(t => Tool.Find(t) is null).ToArray();
        return missing.Length > 0 ? $"not installed: {string.Join(", ", missing)}" : null;
    }
}
