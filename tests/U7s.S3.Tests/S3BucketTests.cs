using System.Text;
using U7s.Testing;

namespace U7s.S3.Tests;

/// <summary>The S3 calls the backends rely on, against the real server: conditional writes above all.</summary>
public sealed class S3BucketTests
{
    [RequiresS3Fact]
    public async Task PutIfAbsent_OnlyOneOfManyRacingWritersWins()
    {
        await using var store = await S3TestStore.CreateAsync();
        var replicas = Enumerable.Range(0, 4).Select(_ => store.OpenReplica()).ToList();
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            replicas[i % replicas.Count].PutIfAbsentAsync("race", Encoding.ASCII.GetBytes($"writer {i}"), default)));

        Assert.Single(results, r => r);
        var winner = Array.IndexOf(results, true);
        Assert.Equal($"writer {winner}", Encoding.ASCII.GetString((await store.Bucket.ReadAllOrNullAsync("race", 100, default))!));
    }

    [RequiresS3Fact]
    public async Task PutIfMatch_FailsOnceTheObjectChanged()
    {
        await using var store = await S3TestStore.CreateAsync();
        await store.Bucket.PutAsync("state", "v1"u8.ToArray(), default);
        var seen = (await store.Bucket.HeadOrNullAsync("state", default))!.ETag;

        Assert.True(await store.Bucket.PutIfMatchAsync("state", "v2"u8.ToArray(), seen, default));
        Assert.False(await store.Bucket.PutIfMatchAsync("state", "v3"u8.ToArray(), seen, default));
        Assert.Equal("v2"u8.ToArray(), await store.Bucket.ReadAllOrNullAsync("state", 10, default));
        Assert.False(await store.Bucket.PutIfMatchAsync("missing", "v1"u8.ToArray(), seen, default));
        Assert.Null(await store.Bucket.HeadOrNullAsync("missing", default));
    }

    [RequiresS3Fact]
    public async Task ListDirectory_SeparatesSubdirectoriesFromObjects()
    {
        await using var store = await S3TestStore.CreateAsync();
        foreach (var key in new[] { "d/a", "d/b/c", "d/b/d", "d/e/f/g", "other" })
        {
            await store.Bucket.PutAsync(key, Encoding.ASCII.GetBytes(key), default);
        }

        var (directories, objects) = await store.Bucket.ListDirectoryAsync("d/", default);
        Assert.Equal(["b", "e"], directories);
        Assert.Equal(["d/a"], objects.Select(o => o.Key));
        Assert.Equal(3, objects[0].Length);

        var all = new List<string>();
        await foreach (var o in store.Bucket.ListAsync("d/", default))
        {
            all.Add(o.Key);
        }

        Assert.Equal(["d/a", "d/b/c", "d/b/d", "d/e/f/g"], all);
    }

    [RequiresS3Fact]
    public async Task Get_RangeAndMissing()
    {
        await using var store = await S3TestStore.CreateAsync();
        await store.Bucket.PutAsync("blob", "0123456789"u8.ToArray(), default);

        using (var part = await store.Bucket.GetOrNullAsync("blob", 3, 4, default))
        {
            using var reader = new StreamReader(part!.Body);
            Assert.Equal("3456", await reader.ReadToEndAsync());
        }

        using (var tail = await store.Bucket.GetOrNullAsync("blob", 7, null, default))
        {
            using var reader = new StreamReader(tail!.Body);
            Assert.Equal("789", await reader.ReadToEndAsync());
        }

        Assert.Null(await store.Bucket.GetOrNullAsync("nope", 0, null, default));
        Assert.Null(await store.Bucket.ReadAllOrNullAsync("nope", 10, default));
        await Assert.ThrowsAsync<InvalidDataException>(() => store.Bucket.ReadAllOrNullAsync("blob", 5, default));
    }
}
