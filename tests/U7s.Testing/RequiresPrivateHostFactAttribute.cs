using Xunit;

namespace U7s.Testing;

/// <summary>A fact that runs node verbs on a <see cref="PrivateHost"/> (and the named programs); skipped with the reason where that is impossible.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresPrivateHostFactAttribute : FactAttribute
{
    public RequiresPrivateHostFactAttribute(params string[] tools)
    {
        var missing = tools.Where(t => Tool.Find(t) is null).ToArray();
        Skip = missing.Length > 0 ? $"not installed: {string.Join(", ", missing)}" : PrivateHost.SkipReason;
    }
}
