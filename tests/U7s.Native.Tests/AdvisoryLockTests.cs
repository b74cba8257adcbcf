namespace U7s.Native.Tests;

/// <summary>The registry's lock between processes: flock semantics, released with the descriptor.</summary>
public sealed class AdvisoryLockTests : IDisposable
{
    private readonly TempDirectory _temp = new("u7s-flock");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Shared_AdmitsOtherShared_NotExclusive()
    {
        var path = _temp.Combine("gc.lock");
        using var first = AdvisoryLock.Open(path);
        using var second = AdvisoryLock.Open(path);
        using var third = AdvisoryLock.Open(path);

        Assert.True(first.TryEnter(exclusive: false));
        Assert.True(second.TryEnter(exclusive: false));
        Assert.False(third.TryEnter(exclusive: true));
    }

    [Fact]
    public void Exclusive_KeepsEveryoneOut_UntilDisposed()
    {
        var path = _temp.Combine("gc.lock");
        var holder = AdvisoryLock.Open(path);
        using var waiter = AdvisoryLock.Open(path);
        Assert.True(holder.TryEnter(exclusive: true));
        Assert.False(waiter.TryEnter(exclusive: false));

        holder.Dispose();

        Assert.True(waiter.TryEnter(exclusive: true));
        Assert.Equal("644", Convert.ToString((int)File.GetUnixFileMode(path) & 0x1FF, 8));
    }

    [Fact]
    public void Open_InAMissingDirectory_IOExceptionNamingThePath()
    {
        var e = Assert.Throws<IOException>(() => AdvisoryLock.Open(_temp.Combine("missing", "gc.lock")));
        Assert.Contains("missing/gc.lock", e.Message, StringComparison.Ordinal);
    }
}
