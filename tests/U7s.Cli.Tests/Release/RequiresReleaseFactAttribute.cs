namespace U7s.Cli.Tests.Release;

/// <summary>
/// A fact over the release artifacts, as root (a mount namespace hides .NET) with the named programs;
/// skipped with the reason otherwise, except that under CI a missing artifact is not a reason.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresReleaseFactAttribute : FactAttribute
{
    public RequiresReleaseFactAttribute(params string[] tools)
    {
        var missing = tools.Where(t => Tool.Find(t) is null).ToArray();
        if (!Environment.IsPrivilegedProcess)
        {
            Skip = "needs root (unshare -m)";
        }
        else if (missing.Length > 0)
        {
            Skip = $"not installed: {string.Join(", ", missing)}";
        }
        else if (ReleaseArtifacts.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
