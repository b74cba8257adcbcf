using Xunit;

namespace U7s.Testing;

/// <summary>A fact that mounts a small tmpfs (<see cref="TmpfsMount"/>); skipped with the reason where that is impossible.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresTmpfsFactAttribute : FactAttribute
{
    public RequiresTmpfsFactAttribute()
    {
        if (TmpfsMount.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
