using Xunit;

namespace U7s.Testing;

/// <summary>Skips, with the reason, where two <see cref="PrivateHost"/> nodes on a <see cref="NodeNetwork"/> cannot be made, or a tool is missing.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresTwoNodesFactAttribute : FactAttribute
{
    public RequiresTwoNodesFactAttribute(params string[] tools)
    {
        var missing = tools.Where(t => Tool.Find(t) is null).ToArray();
        Skip = missing.Length > 0 ? $"not installed: {string.Join(", ", missing)}" : NodeNetwork.SkipReason;
    }
}
