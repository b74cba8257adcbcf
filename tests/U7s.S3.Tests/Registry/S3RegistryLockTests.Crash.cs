using System.Diagnostics;
using System.Globalization;
using System.Text;
using U7s.S3.Registry;
using U7s.Testing;

namespace U7s.S3.Tests.Registry;

/// <summary>What a replica that dies holding the lock costs every other replica: bounded by the drain wait, not the lease.</summary>
public sealed partial class S3RegistryLockTests
{
    /// <summary>The product's timings, with quick polls.</summary>
    private static readonly S3RegistryLockOptions Product = new() { Poll = TimeSpan.FromMilliseconds(50) };

    [RequiresS3Fact]
    public async Task CrashedPush_CostsThePushesOfOtherReplicas_AtMostTheDrainWait_WhileACollectionWaitsForItsLease()
    {
        await using var s3 = await S3TestStore.CreateAsync();
        var start = DateTimeOffset.UtcNow;

        // A replica killed in the middle of a manifest push: its marker lives on, renewed by nobody, until it expires.
        var crashed = await NewLock(s3.OpenReplica(), new ManualTimeProvider(start), Crashed).EnterSharedAsync(default);
        var clock = new ManualTimeProvider(start);
        var collection = NewLock(s3.OpenReplica(), clock, Product).EnterExclusiveAsync(default);
        var push = NewLock(s3.OpenReplica(), clock, Product);

        var waits = new List<TimeSpan>();
        var pushing = Stopwatch.StartNew();
        while (pushing.Elapsed < Product.DrainWait * 3)
        {
            var wait = Stopwatch.StartNew();
            await (await push.EnterSharedAsync(default).WaitAsync(Prompt)).DisposeAsync();
            waits.Add(wait.Elapsed);
        }

        var worst = waits.Max();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{waits.Count} pushes in {pushing.Elapsed.TotalSeconds:F1} s beside a crashed push's lease; longest wait {worst.TotalMilliseconds:F0} ms (drain wait {Product.DrainWait.TotalSeconds} s)"));
        Assert.False(collection.IsCompleted, "the collection went in while the crashed push's lease was live");
        Assert.True(worst <= Product.DrainWait + TimeSpan.FromSeconds(1), $"a push waited {worst} for a collection stuck behind a crashed lease");
        Assert.True(waits.Count >= 10, $"only {waits.Count} pushes got through");

        // Once the lease expires the collection goes in, and removes it a further lease later.
        clock.Now = start + Crashed.Lease + TimeSpan.FromSeconds(1);
        await (await collection.WaitAsync(Prompt)).DisposeAsync();
        await crashed.DisposeAsync();
    }

    [RequiresS3Fact]
    public async Task DrainingCollection_MarkerLastsTwiceTheDrainWait_ThenAWholeLeaseOnceHeld()
    {
        await using var s3 = await S3TestStore.CreateAsync();
        var push = await NewLock(s3.OpenReplica(), options: Product).EnterSharedAsync(default);
        var collection = NewLock(s3.OpenReplica(), options: Product).EnterExclusiveAsync(default);
        await Task.Delay(Blocked);

        // Killed now, this collection would hold pushes up for no more than this.
        var draining = await ExpiryInAsync(s3.Bucket);
        Assert.InRange(draining, TimeSpan.Zero, Product.DrainWait * 2);
        Assert.False(collection.IsCompleted);

        await push.DisposeAsync();
        var held = await collection.WaitAsync(Prompt);
        Assert.InRange(await ExpiryInAsync(s3.Bucket), Product.Lease - TimeSpan.FromSeconds(5), Product.Lease);
        await held.DisposeAsync();
        Assert.Null(await s3.Bucket.HeadOrNullAsync(S3RegistryLock.ExclusiveKey, default));
    }

    [RequiresS3Fact]
    public async Task SteppedBackCollection_GoesInOnceTheSlowPushIsDone_AndPushesWereFreeMeanwhile()
    {
        await using var s3 = await S3TestStore.CreateAsync();
        var options = new S3RegistryLockOptions { Poll = TimeSpan.FromMilliseconds(50), DrainWait = TimeSpan.FromMilliseconds(500) };
        var slow = await NewLock(s3.OpenReplica(), options: options).EnterSharedAsync(default);
        var collection = NewLock(s3.OpenReplica(), options: options).EnterExclusiveAsync(default);
        await Task.Delay(options.DrainWait * 3);

        // Stepped back: a push elsewhere goes straight in, without waiting for the collection.
        var wait = Stopwatch.StartNew();
        await (await NewLock(s3.OpenReplica(), options: options).EnterSharedAsync(default).WaitAsync(Prompt)).DisposeAsync();
        Assert.True(wait.Elapsed < options.DrainWait, $"a push waited {wait.Elapsed} for a collection that had stepped back");
        Assert.False(collection.IsCompleted);

        await slow.DisposeAsync();
        await (await collection.WaitAsync(Prompt)).DisposeAsync();
    }

    [Fact]
    public void Options_DrainWaitAboveAQuarterLease_Refused()
    {
        Assert.Contains(new S3RegistryLockOptions { DrainWait = TimeSpan.FromSeconds(10) }.Validate(), p => p.Contains("DrainWait", StringComparison.Ordinal));
        Assert.Equal(TimeSpan.FromSeconds(2), new S3RegistryLockOptions().DrainWait);
    }

    /// <summary>How long from now the exclusive marker counts, as its body says.</summary>
    private static async Task<TimeSpan> ExpiryInAsync(S3Bucket bucket)
    {
        var body = Encoding.UTF8.GetString((await bucket.ReadAllOrNullAsync(S3RegistryLock.ExclusiveKey, 1024, default))!);
        var expires = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(body.Split(' ')[0], CultureInfo.InvariantCulture));
        return expires - DateTimeOffset.UtcNow;
    }
}
