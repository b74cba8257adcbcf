namespace U7s.Registry.Tests.Http;

/// <summary>A clock the test moves by hand, wall time and timestamps alike (caches measure age with timestamps).</summary>
internal sealed class SteppingClock : TimeProvider
{
    private long _ticks = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Volatile.Read(ref _ticks), TimeSpan.Zero);

    public override long GetTimestamp() => Volatile.Read(ref _ticks);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan step) => Interlocked.Add(ref _ticks, step.Ticks);
}
