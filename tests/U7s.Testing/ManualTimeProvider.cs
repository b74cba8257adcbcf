namespace U7s.Testing;

/// <summary>
/// A clock the test moves by hand (abandoned-upload expiry is hours long). Safe to read while another
/// thread moves it: a server under test reads it on every request.
/// </summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private long _utcTicks = start.UtcTicks;

    public DateTimeOffset Now
    {
        get => new(Volatile.Read(ref _utcTicks), TimeSpan.Zero);
        set => Volatile.Write(ref _utcTicks, value.UtcTicks);
    }

    public override DateTimeOffset GetUtcNow() => Now;

    /// <summary>Moves the clock forward by <paramref name="step"/>, atomically with respect to other movers.</summary>
    public void Advance(TimeSpan step) => Interlocked.Add(ref _utcTicks, step.Ticks);
}
