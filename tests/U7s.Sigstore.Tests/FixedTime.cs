namespace U7s.Sigstore.Tests;

/// <summary>A clock stopped at one instant (expiry tests).</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
