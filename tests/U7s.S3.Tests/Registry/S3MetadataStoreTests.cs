using System.Diagnostics;
using System.Text.Json;
using U7s.Oci;
using U7s.S3.Registry;
using U7s.Testing;
using Xunit.Abstractions;

namespace U7s.S3.Tests.Registry;

/// <summary>What only S3 can show: replicas writing at once, and the bucket layout other tools read.</summary>
public sealed class S3MetadataStoreTests(ITestOutputHelper output)
{
    private static readonly RepositoryName Repo = RepositoryName.Parse("team/app");

    [RequiresS3Fact]
    public async Task TwoReplicas_SetFiftyDifferentTagsAtOnce_AllPresent()
    {
        await using var s3 = await S3TestStore.CreateAsync();
        var replicas = new[] { new S3MetadataStore(s3.OpenReplica()), new S3MetadataStore(s3.OpenReplica()) };
        var expected = Enumerable.Range(0, 50).ToDictionary(i => $"t{i:D2}", i => Digest.Compute(BitConverter.GetBytes(i)));

        await Task.WhenAll(expected.Select((pair, i) => replicas[i % 2].SetTagAsync(Repo, Tag.Parse(pair.Key), pair.Value, default)));

        var store = new S3MetadataStore(s3.Bucket);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), await store.ListTagsOrNullAsync(Repo, default));
        foreach (var (tag, digest) in expected)
        {
            Assert.Equal(digest, await replicas[1].ResolveTagOrNullAsync(Repo, Tag.Parse(tag), default));
        }
    }

    [RequiresS3Fact]
    public async Task TwoReplicas_SetOneTagAtOnce_TagEndsAtOneOfTheWrittenDigests()
    {
        await using var s3 = await S3TestStore.CreateAsync();
        var replicas = new[] { new S3MetadataStore(s3.OpenReplica()), new S3MetadataStore(s3.OpenReplica()) };
        var written = Enumerable.Range(0, 20).Select(i => Digest.Compute(BitConverter.GetBytes(i))).ToList();

        await Task.WhenAll(written.Select((digest, i) => replicas[i % 2].SetTagAsync(Repo, Tag.Parse("latest"), digest, default)));

        var first = await replicas[0].ResolveTagOrNullAsync(Repo, Tag.Parse("latest"), default);
        Assert.Contains(Assert.NotNull(first), written);
        Assert.Equal(first, await replicas[1].ResolveTagOrNullAsync(Repo, Tag.Parse("latest"), default));
        Assert.Equal(["latest"], await replicas[1].ListTagsOrNullAsync(Repo, default));
    }

    [RequiresS3Fact]
    public async Task TwoReplicas_LinkAndReferAtOnce_NothingLost()
    {
        await using var s3 = await S3TestStore.CreateAsync();
        var replicas = new[] { new S3MetadataStore(s3.OpenReplica()), new S3MetadataStore(s3.OpenReplica()) };
        var subject = Digest.Compute("subject"u8);
        var digests = Enumerable.Range(0, 30).Select(i => Digest.Compute(BitConverter.GetBytes(i))).ToList();

        await Task.WhenAll(digests.SelectMany((digest, i) => new[]
        {
            replicas[i % 2].LinkBlobAsync(Repo, digest, default),
            replicas[(i + 1) % 2].PutManifestAsync(Repo, digest, MediaTypes.OciManifest, default),
            replicas[i % 2].AddReferrerAsync(Repo, subject, new Descriptor { MediaType = MediaTypes.OciManifest, Digest = digest.ToString(), Size = i }, default),
        }));

        var store = new S3MetadataStore(s3.Bucket);
        Assert.Equal(digests.Select(d => d.ToString()).Order(StringComparer.Ordinal), (await store.ListManifestsAsync(Repo, default).ToListAsync()).Select(d => d.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal(digests.Select(d => d.ToString()).Order(StringComparer.Ordinal), (await store.ListReferrersAsync(Repo, subject, default)).Select(d => d.Digest));
        foreach (var digest in digests)
        {
            Assert.True(await store.IsBlobLinkedAsync(Repo, digest, default));
        }
    }

    [RequiresS3Fact]
    public async Task Layout_IsTheDocumentedOne()
    {
        await using var s3 = await S3TestStore.CreateAsync();
        var store = new S3MetadataStore(s3.Bucket);
        var layer = Digest.Compute("layer"u8);
        var manifest = Digest.Compute("manifest"u8);
        var referrer = Digest.Compute("referrer"u8);
        await store.LinkBlobAsync(Repo, layer, default);
        await store.PutManifestAsync(Repo, manifest, MediaTypes.OciManifest, default);
        await store.SetTagAsync(Repo, Tag.Parse("v1"), manifest, default);
        await store.AddReferrerAsync(Repo, manifest, new Descriptor { MediaType = MediaTypes.OciManifest, Digest = referrer.ToString(), Size = 7 }, default);

        var objects = await s3.Bucket.ListAsync(string.Empty, default).ToListAsync();
        Assert.Equal(
            [
                $"registry/repositories/team/app/_layers/sha256/{layer.Hex}",
                $"registry/repositories/team/app/_manifests/sha256/{manifest.Hex}",
                $"registry/repositories/team/app/_referrers/sha256/{manifest.Hex}/sha256/{referrer.Hex}",
                "registry/repositories/team/app/_tags/v1",
            ],
            objects.Select(o => o.Key));
        Assert.Equal(0, objects[0].Length);
        Assert.Equal(MediaTypes.OciManifest, System.Text.Encoding.UTF8.GetString((await s3.Bucket.ReadAllOrNullAsync(objects[1].Key, 1000, default))!));
        using var descriptor = JsonDocument.Parse((await s3.Bucket.ReadAllOrNullAsync(objects[2].Key, 1000, default))!);
        Assert.Equal(
            [("mediaType", MediaTypes.OciManifest), ("digest", referrer.ToString()), ("size", "7")],
            descriptor.RootElement.EnumerateObject().Select(p => (p.Name, p.Value.ToString())));
        Assert.Equal(manifest.ToString(), System.Text.Encoding.UTF8.GetString((await s3.Bucket.ReadAllOrNullAsync(objects[3].Key, 1000, default))!));
    }

    /// <summary>The status page's "Pushed": a tag's time is when it got its digest; setting it to the same digest again keeps it.</summary>
    [RequiresS3Fact]
    public async Task TagTime_IsWhenTheTagGotItsDigest_SameDigestAgainKeepsIt()
    {
        await using var s3 = await S3TestStore.CreateAsync();
        var store = new S3MetadataStore(s3.Bucket);
        var digest = Digest.Compute([1, 2, 3]);
        Assert.Null(await store.GetTagTimeOrNullAsync(Repo, Tag.Parse("v1"), default));
        await store.SetTagAsync(Repo, Tag.Parse("v1"), digest, default);
        var first = await store.GetTagTimeOrNullAsync(Repo, Tag.Parse("v1"), default);

        // S3 keeps times to the second.
        await Task.Delay(TimeSpan.FromMilliseconds(1100));
        await store.SetTagAsync(Repo, Tag.Parse("v1"), digest, default);
        await store.SetTagAsync(Repo, Tag.Parse("v2"), digest, default);

        Assert.NotNull(first);
        Assert.Equal(first, await store.GetTagTimeOrNullAsync(Repo, Tag.Parse("v1"), default));
        Assert.True(await store.GetTagTimeOrNullAsync(Repo, Tag.Parse("v2"), default) > first);
    }

    [RequiresS3Fact]
    public async Task ResolveTag_GarbageContent_IsNull()
    {
        await using var s3 = await S3TestStore.CreateAsync();
        await s3.Bucket.PutAsync("registry/repositories/team/app/_tags/broken", "not a digest"u8.ToArray(), default);
        var store = new S3MetadataStore(s3.Bucket);
        Assert.Null(await store.ResolveTagOrNullAsync(Repo, Tag.Parse("broken"), default));
        Assert.Equal(["broken"], await store.ListTagsOrNullAsync(Repo, default));
    }

    [RequiresS3Fact]
    public async Task ListRepositories_ManyNestedRepositories_AllInOrder()
    {
        await using var s3 = await S3TestStore.CreateAsync();
        var store = new S3MetadataStore(s3.Bucket);
        var names = Enumerable.Range(0, 40).SelectMany(i => new[] { $"org{i % 4}/app{i}", $"org{i % 4}/app{i}/sub" }).ToList();
        var manifest = Digest.Compute("m"u8);
        var layers = Enumerable.Range(0, 5).Select(i => Digest.Compute(BitConverter.GetBytes(i))).ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (name, token) =>
        {
            var repository = RepositoryName.Parse(name);
            await store.PutManifestAsync(repository, manifest, MediaTypes.OciManifest, token);
            await store.SetTagAsync(repository, Tag.Parse("latest"), manifest, token);
            foreach (var layer in layers)
            {
                await store.LinkBlobAsync(repository, layer, token);
            }
        });

        var clock = Stopwatch.StartNew();
        var listed = await store.ListRepositoriesAsync(default);
        output.WriteLine($"{listed.Count} repositories ({names.Count * 7} objects) listed in {clock.ElapsedMilliseconds} ms");
        Assert.Equal(names.Order(StringComparer.Ordinal), listed);
    }
}
