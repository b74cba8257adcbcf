using Xunit;

namespace U7s.Testing;

/// <summary>
/// A fact that needs root (real groupadd/useradd/chown under a temp root) and the named programs;
/// skipped with the reason otherwise. CI runs as root, so there it always runs.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresRootFactAttribute : FactAttribute
{
    public RequiresRootFactAttribute(params string[] tools)
    {
        var missing = tools.Where(t => Tool.Find(t) is null).ToArray();
        if (!Environment.IsPrivilegedProcess)
        {
            Skip = "needs root";
        }
        else if (missing.Length > 0)
        {
            Skip = $"not installed: {string.Join(", ", missing)}";
        }
    }
}
