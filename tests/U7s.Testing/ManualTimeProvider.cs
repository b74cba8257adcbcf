namespace U7s.Testing;

/// <summary>A clock the test moves by hand (abandoned-upload expiry is hours long).</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
