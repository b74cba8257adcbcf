using Microsoft.Extensions.Logging.Abstractions;
using U7s.S3.Registry;
using U7s.Testing;
using Xunit.Abstractions;

namespace U7s.S3.Tests.Registry;

/// <summary>
/// What the S3 lock does beyond the contract every lock passes (<c>RegistryLockContract</c>): leases, expiry,
/// renewal, and what a crashed holder costs the others. Each instance over its own client, as separate processes.
/// </summary>
public sealed partial class S3RegistryLockTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Blocked = TimeSpan.FromMilliseconds(600);
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(10);
    private static readonly S3RegistryLockOptions Fast = new() { Poll = TimeSpan.FromMilliseconds(50), DrainWait = TimeSpan.FromSeconds(5) };

    /// <summary>A "crashed" holder: its next renewal lies beyond any test, and its lease is long.</summary>
    private static readonly S3RegistryLockOptions Crashed = new() { Lease = TimeSpan.FromHours(2), RenewInterval = TimeSpan.FromHours(1) };

    [RequiresS3Fact]
    public async Task Shared_WaitsForAnExclusiveHolderOnAnotherReplica_WithoutLeavingAMarker()
    {
        await using var s3 = await S3TestStore.CreateAsync();
        var push = NewLock(s3.OpenReplica());
        var gc = NewLock(s3.OpenReplica());

        var exclusive = await gc.EnterExclusiveAsync(default);
        var shared = push.EnterSharedAsync(default);
        await Task.Delay(Blocked);
        Assert.False(shared.IsCompleted, "a push entered while a collection held the lock");
        Assert.Empty(await s3.Bucket.ListAsync(S3RegistryLock.SharedPrefix, default).ToListAsync());

        await exclusive.DisposeAsync();
        await (await shared.WaitAsync(Prompt)).DisposeAsync();
    }

    [RequiresS3Fact]
    public async Task Shared_ManyHoldersOnTwoReplicas_AllInsideAtOnce()
    {
        await using var s3 = await S3TestStore.CreateAsync();
        var replicas = new[] { NewLock(s3.OpenReplica()), NewLock(s3.OpenReplica()) };

        var held = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => replicas[i % 2].EnterSharedAsync(default))).WaitAsync(Prompt);

        Assert.Equal(12, (await s3.Bucket.ListAsync(S3RegistryLock.SharedPrefix, default).ToListAsync()).Count);
        foreach (var lease in held)
        {
            await lease.DisposeAsync();
        }

        Assert.Empty(await s3.Bucket.ListAsync("registry/locks/", default).ToListAsync());
    }

    [RequiresS3Fact]
    public async Task CrashedSharedHolder_ExpiredLease_IsIgnored_AndItsMarkerRemoved()
    {
        await using var s3 = await S3TestStore.CreateAsync();
        var start = DateTimeOffset.UtcNow;

        // The crashed holder's clock stands still, so no renewal could ever extend its lease.
        var crashed = await NewLock(s3.OpenReplica(), new ManualTimeProvider(start), Crashed).EnterSharedAsync(default);
        var later = new ManualTimeProvider(start + Crashed.Lease - TimeSpan.FromSeconds(1));
        var gc = NewLock(s3.OpenReplica(), later);

        var blocked = gc.EnterExclusiveAsync(default);
        await Task.Delay(Blocked);
        Assert.False(blocked.IsCompleted, "the collection ignored a live lease");

        later.Now = start + Crashed.Lease + TimeSpan.FromSeconds(1);
        await (await blocked.WaitAsync(Prompt)).DisposeAsync();
        Assert.Single(await s3.Bucket.ListAsync(S3RegistryLock.SharedPrefix, default).ToListAsync());

        // Expired a whole further lease ago: debris, removed by the next collection.
        later.Now = start + Crashed.Lease + Fast.Lease + TimeSpan.FromSeconds(1);
        await (await gc.EnterExclusiveAsync(default).WaitAsync(Prompt)).DisposeAsync();
        Assert.Empty(await s3.Bucket.ListAsync("registry/locks/", default).ToListAsync());
        await crashed.DisposeAsync();
    }

    [RequiresS3Fact]
    public async Task CrashedExclusiveHolder_ExpiredLease_IsIgnoredByPushes_AndTakenOverByOneCollectionAtATime()
    {
        await using var s3 = await S3TestStore.CreateAsync();
        var start = DateTimeOffset.UtcNow;
        var crashed = await NewLock(s3.OpenReplica(), new ManualTimeProvider(start), Crashed).EnterExclusiveAsync(default);
        var later = new ManualTimeProvider(start + Crashed.Lease - TimeSpan.FromSeconds(1));
        var push = NewLock(s3.OpenReplica(), later);

        var blocked = push.EnterSharedAsync(default);
        await Task.Delay(Blocked);
        Assert.False(blocked.IsCompleted, "a push ignored a live collection lease");
        later.Now = start + Crashed.Lease + TimeSpan.FromSeconds(1);
        await (await blocked.WaitAsync(Prompt)).DisposeAsync();

        var pending = Enumerable.Range(0, 6).Select(_ => NewLock(s3.OpenReplica(), later).EnterExclusiveAsync(default)).ToList();
        while (pending.Count > 0)
        {
            var entered = await Task.WhenAny(pending).WaitAsync(Prompt);
            await Task.Delay(TimeSpan.FromMilliseconds(300));
            Assert.Equal(1, pending.Count(t => t.IsCompleted));
            pending.Remove(entered);
            await (await entered).DisposeAsync();
        }

        // The crashed holder, were it to come back, must not delete what is no longer its marker.
        var current = await NewLock(s3.OpenReplica(), later).EnterExclusiveAsync(default);
        await crashed.DisposeAsync();
        Assert.NotNull(await s3.Bucket.HeadOrNullAsync(S3RegistryLock.ExclusiveKey, default));
        await current.DisposeAsync();
        Assert.Empty(await s3.Bucket.ListAsync("registry/locks/", default).ToListAsync());
    }

    [RequiresS3Fact]
    public async Task Renewal_KeepsALeaseAliveFarPastItsLength()
    {
        await using var s3 = await S3TestStore.CreateAsync();
        var shortLease = new S3RegistryLockOptions { Lease = TimeSpan.FromSeconds(2), RenewInterval = TimeSpan.FromMilliseconds(250), Poll = TimeSpan.FromMilliseconds(50), DrainWait = TimeSpan.FromMilliseconds(250) };
        var shared = await NewLock(s3.OpenReplica(), options: shortLease).EnterSharedAsync(default);

        var exclusive = NewLock(s3.OpenReplica(), options: shortLease).EnterExclusiveAsync(default);
        await Task.Delay(TimeSpan.FromSeconds(4.5));
        Assert.False(exclusive.IsCompleted, "a renewed lease expired");

        await shared.DisposeAsync();
        var held = await exclusive.WaitAsync(Prompt);
        var sharedAgain = NewLock(s3.OpenReplica(), options: shortLease).EnterSharedAsync(default);
        await Task.Delay(TimeSpan.FromSeconds(4.5));
        Assert.False(sharedAgain.IsCompleted, "a renewed exclusive lease expired");
        await held.DisposeAsync();
        await (await sharedAgain.WaitAsync(Prompt)).DisposeAsync();
    }

    [RequiresS3Fact]
    public async Task LostSharedLease_IsWrittenAgainAtTheNextRenewal()
    {
        await using var s3 = await S3TestStore.CreateAsync();
        var options = new S3RegistryLockOptions { Lease = TimeSpan.FromSeconds(2), RenewInterval = TimeSpan.FromMilliseconds(200), Poll = TimeSpan.FromMilliseconds(50), DrainWait = TimeSpan.FromMilliseconds(250) };
        var shared = await NewLock(s3.OpenReplica(), options: options).EnterSharedAsync(default);
        var marker = Assert.Single(await s3.Bucket.ListAsync(S3RegistryLock.SharedPrefix, default).ToListAsync());

        await s3.Bucket.DeleteAsync(marker.Key, default);
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.NotNull(await s3.Bucket.HeadOrNullAsync(marker.Key, default));
        await shared.DisposeAsync();
        Assert.Null(await s3.Bucket.HeadOrNullAsync(marker.Key, default));
    }

    [RequiresS3Fact]
    public async Task UnreadableMarker_CountsAsExpired()
    {
        await using var s3 = await S3TestStore.CreateAsync();
        await s3.Bucket.PutAsync(S3RegistryLock.ExclusiveKey, "garbage"u8.ToArray(), default);
        await (await NewLock(s3.OpenReplica()).EnterSharedAsync(default).WaitAsync(Prompt)).DisposeAsync();
        await (await NewLock(s3.OpenReplica()).EnterExclusiveAsync(default).WaitAsync(Prompt)).DisposeAsync();
        Assert.Empty(await s3.Bucket.ListAsync("registry/locks/", default).ToListAsync());
    }

    [Fact]
    public void Options_RenewalNotWellInsideTheLease_Refused()
    {
        var bucket = new S3Bucket(new Amazon.S3.AmazonS3Client(new Amazon.Runtime.AnonymousAWSCredentials(), new Amazon.S3.AmazonS3Config { ServiceURL = "http://127.0.0.1:1" }), "b", string.Empty);
        var bad = new S3RegistryLockOptions { Lease = TimeSpan.FromSeconds(10), RenewInterval = TimeSpan.FromSeconds(6) };
        Assert.Contains("RenewInterval", Assert.Throws<ArgumentException>(() => NewLock(bucket, options: bad)).Message, StringComparison.Ordinal);
        Assert.Empty(new S3RegistryLockOptions().Validate());
    }

    private static S3RegistryLock NewLock(S3Bucket bucket, TimeProvider? time = null, S3RegistryLockOptions? options = null) =>
        new(bucket, time ?? TimeProvider.System, options ?? Fast, NullLogger<S3RegistryLock>.Instance);
}
