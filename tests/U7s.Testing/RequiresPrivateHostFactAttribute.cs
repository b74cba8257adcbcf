using Xunit;

namespace U7s.Testing;

/// <summary>
/// A fact that runs node verbs on a <see cref="PrivateHost"/> (and the named programs), with <see cref="TwoNodes"/> on
/// two of them joined by a <see cref="NodeNetwork"/>; skipped with the reason where that is impossible.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresPrivateHostFactAttribute : FactAttribute
{
    public RequiresPrivateHostFactAttribute(params string[] tools)
    {
        var missing = tools.Where(t => Tool.Find(t) is null).ToArray();
        Skip = missing.Length > 0 ? $"not installed: {string.Join(", ", missing)}" : PrivateHost.SkipReason;
    }

    /// <summary>The test also needs two network namespaces and a veth pair between them.</summary>
    public bool TwoNodes
    {
        get => field;
        set
        {
            field = value;
            Skip ??= value ? NodeNetwork.SkipReason : null;
        }
    }
}
