using Xunit;

namespace U7s.Testing;

/// <summary>
/// A fact that needs the real S3 server (and optionally programs it drives); skipped with the reason when
/// either is missing. Under CI a missing S3 server is a failure, not a skip.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresS3FactAttribute : FactAttribute
{
    public RequiresS3FactAttribute(params string[] tools)
    {
        var missing = tools.Where(t => Tool.Find(t) is null).ToArray();
        if (missing.Length > 0)
        {
            Skip = $"not installed: {string.Join(", ", missing)}";
        }
        else if (S3TestStore.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
