using Xunit;

namespace U7s.Testing;

/// <summary>A theory that is skipped, with the reason, when a program it drives is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresToolTheoryAttribute : TheoryAttribute
{
    public RequiresToolTheoryAttribute(params string[] tools)
    {
        Tools = tools;
        Skip = RequiresToolFactAttribute.SkipReason(tools);
    }

    public IReadOnlyList<string> Tools { get; }
}
