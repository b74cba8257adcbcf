using U7s.Testing;

namespace U7s.S3.Tests;

/// <summary>Writes that return the new ETag, which leases compare-and-swap on, and the one-key existence probe.</summary>
public sealed class S3BucketETagTests
{
    [RequiresS3Fact]
    public async Task Writes_ReturnTheETagThatHeadReports_AndThatIfMatchAccepts()
    {
        await using var store = await S3TestStore.CreateAsync();
        var bucket = store.Bucket;

        var created = await bucket.CreateOrNullAsync("lease", "v1"u8.ToArray(), default);
        Assert.Equal((await bucket.HeadOrNullAsync("lease", default))!.ETag, created);
        Assert.Null(await bucket.CreateOrNullAsync("lease", "v2"u8.ToArray(), default));

        var renewed = await bucket.ReplaceOrNullAsync("lease", "v2"u8.ToArray(), created!, default);
        Assert.NotNull(renewed);
        Assert.NotEqual(created, renewed);
        Assert.Null(await bucket.ReplaceOrNullAsync("lease", "v3"u8.ToArray(), created!, default));

        var replaced = await bucket.PutAsync("lease", "v4"u8.ToArray(), default);
        Assert.Equal((await bucket.HeadOrNullAsync("lease", default))!.ETag, replaced);
        Assert.Null(await bucket.ReplaceOrNullAsync("lease", "v5"u8.ToArray(), renewed!, default));
        Assert.Equal("v4"u8.ToArray(), await bucket.ReadAllOrNullAsync("lease", 10, default));
    }

    [RequiresS3Fact]
    public async Task Any_SeesOnlyKeysUnderThePrefix()
    {
        await using var store = await S3TestStore.CreateAsync();
        await store.Bucket.PutAsync("a/b/c", "x"u8.ToArray(), default);

        Assert.True(await store.Bucket.AnyUnderAsync("a/", default));
        Assert.True(await store.Bucket.AnyUnderAsync("a/b/c", default));
        Assert.False(await store.Bucket.AnyUnderAsync("a/c", default));
        Assert.False(await store.Bucket.AnyUnderAsync("b", default));
    }
}
