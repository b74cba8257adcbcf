namespace U7s.Cluster.Tests.Support;

/// <summary>A clock that stands still (or moves when told) in a chosen local time zone.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset utcNow, TimeZoneInfo? zone = null) : TimeProvider
{
    private DateTimeOffset _now = utcNow;

    public override TimeZoneInfo LocalTimeZone { get; } = zone ?? TimeZoneInfo.Utc;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
