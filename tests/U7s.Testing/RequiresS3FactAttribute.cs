using Xunit;

namespace U7s.Testing;

/// <summary>A fact that needs the real S3 server; skipped with the reason when none is configured (never under CI).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresS3FactAttribute : FactAttribute
{
    public RequiresS3FactAttribute()
    {
        if (S3TestStore.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
