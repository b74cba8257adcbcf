using System.Net;
using System.Security.Cryptography;
using System.Text;
using U7s.Oci;
using U7s.Registry.Gc;
using U7s.Registry.Tests.Http;
using U7s.Registry.Tests.Storage;
using U7s.Testing;
using Xunit.Abstractions;

namespace U7s.Registry.Tests.Gc;

/// <summary>
/// Collections beside a serving registry, for every storage backend: the real registry on Kestrel over the
/// backend, the collection opening the same data as <c>u7s gc</c> does, and one clock for both that the test
/// moves (a grace period is minutes long).
/// </summary>
public abstract partial class OnlineGcContract(ITestOutputHelper output) : RegistryOnStorage
{
    private static readonly TimeSpan Grace = GcOptions.MinimumGrace;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    protected ITestOutputHelper Output { get; } = output;

    [ContractFact]
    public async Task TagPut_BetweenMarkingAndSweep_KeepsTheManifestAndItsBlobs()
    {
        var image = await PushAsync("gc/late", reference: null);
        Clock.Advance(Grace * 2);
        var (run, hold) = StartCollection(pauseAtExclusive: 2);
        await hold.Paused.WaitAsync(Timeout);

        // Marked while untagged and past grace; the tag comes before the sweep.
        using (var put = await Client.PutManifestAsync("gc/late", "late", image.Manifest))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        hold.Resume();
        var report = await run.WaitAsync(Timeout);
        Assert.Empty(report.DeletedManifests);
        Assert.Empty(report.DeletedBlobs);
        await AssertIntactAsync("gc/late", "late", image);
    }

    [ContractFact]
    public async Task OldBlobReferencedWhileTheCollectionRuns_IsKept_EvenWhenTheRunOutlastsItsGrace()
    {
        var layer = RandomNumberGenerator.GetBytes(200);
        var layerDigest = await Client.PushBlobAsync("gc/slow", layer);
        var orphan = await Client.PushBlobAsync("gc/slow", RandomNumberGenerator.GetBytes(100));
        Clock.Advance(Grace * 2);
        var (run, hold) = StartCollection(pauseAtExclusive: 2);
        await hold.Paused.WaitAsync(Timeout);

        // Both blobs were unreferenced and old when marked; a manifest takes the layer up before the sweep, and
        // the sweep comes later than a grace period after the collection started.
        var config = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\"}");
        var configDigest = await Client.PushBlobAsync("gc/slow", config);
        var image = OciClient.Image(config, configDigest, layer, layerDigest);
        using (var put = await Client.PutManifestAsync("gc/slow", "v1", image.Manifest))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        Clock.Advance(Grace * 2);
        hold.Resume();
        var report = await run.WaitAsync(Timeout);

        Assert.Equal([orphan], report.DeletedBlobs.Select(b => b.Digest));
        await AssertIntactAsync("gc/slow", "v1", image);
    }

    [ContractFact]
    public async Task UntaggedManifest_UsedWithinGrace_IsKept_AndCollectedOnceOlder()
    {
        var tagged = await PushAsync("gc/fresh", "v1");
        var untagged = await PushAsync("gc/fresh", reference: null);
        var view = Storage.Open(Clock);
        var gc = new GarbageCollector(view.Blobs, view.Metadata, view.Lock, Clock);

        var fresh = await gc.RunAsync(new GcOptions(false, Grace, DeleteUntagged: true), default);
        Assert.Empty(fresh.DeletedManifests);
        Assert.Empty(fresh.DeletedBlobs);
        Assert.Equal(1, fresh.ManifestsSparedByGracePeriod);
        using (var kept = await Client.GetAsync($"/v2/gc/fresh/blobs/{untagged.LayerDigest}"))
        {
            Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        }

        Clock.Advance(Grace * 2);
        var old = await gc.RunAsync(new GcOptions(false, Grace, DeleteUntagged: true), default);
        Assert.Equal([("gc/fresh", untagged.Digest)], old.DeletedManifests);
        Assert.Equal(
            new[] { untagged.Digest, untagged.ConfigDigest, untagged.LayerDigest }.Select(d => d.ToString()).Order(),
            old.DeletedBlobs.Select(b => b.Digest.ToString()).Order());
        await AssertIntactAsync("gc/fresh", "v1", tagged);
    }

    [ContractFact]
    public async Task CommitsAndMountsOfStoredBlobs_WaitWhileACollectionHoldsTheLock_NewBlobsDoNot()
    {
        var stored = RandomNumberGenerator.GetBytes(300);
        var digest = await Client.PushBlobAsync("gc/wait", stored);
        var fresh = RandomNumberGenerator.GetBytes(400);
        using var session = await Client.PostAsync("/v2/gc/again/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, session.StatusCode);
        var view = Storage.Open(Clock);

        // Each of these finds the blob stored: a collection holding the lock may be about to delete it.
        Task<HttpResponseMessage> single, complete, mount;
        await using (await view.Lock.EnterExclusiveAsync(default))
        {
            single = Client.PostAsync($"/v2/gc/single/blobs/uploads/?digest={digest}", new ByteArrayContent(stored));
            complete = Client.PutAsync($"{session.Headers.Location}?digest={digest}", new ByteArrayContent(stored));
            mount = Client.PostAsync($"/v2/gc/mounted/blobs/uploads/?mount={digest}&from=gc/wait", null);
            using (var created = await Client.PostAsync($"/v2/gc/wait/blobs/uploads/?digest={Digest.Compute(fresh)}", new ByteArrayContent(fresh)))
            {
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            }

            await Task.Delay(500);
            Assert.False(single.IsCompleted, "a single-request upload of a stored blob committed while a collection held the lock");
            Assert.False(complete.IsCompleted, "an upload of a stored blob committed while a collection held the lock");
            Assert.False(mount.IsCompleted, "a mount went ahead while a collection held the lock");
        }

        foreach (var response in await Task.WhenAll(single, complete, mount).WaitAsync(Timeout))
        {
            using (response)
            {
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            }
        }

        foreach (var repository in new[] { "gc/single", "gc/again", "gc/mounted" })
        {
            Assert.Equal(stored, await Client.GetByteArrayAsync($"/v2/{repository}/blobs/{digest}"));
        }
    }

    /// <summary>Starts a collection (untagged manifests too) as another process would, held at its <paramref name="pauseAtExclusive"/>-th exclusive lock.</summary>
    private (Task<GcReport> Run, PausingRegistryLock Hold) StartCollection(int pauseAtExclusive)
    {
        var view = Storage.Open(Clock);
        var hold = new PausingRegistryLock(view.Lock, pauseAtExclusive);
        var gc = new GarbageCollector(view.Blobs, view.Metadata, hold, Clock);
        return (Task.Run(() => gc.RunAsync(new GcOptions(false, Grace, DeleteUntagged: true), CancellationToken.None)), hold);
    }

    /// <summary>Pushes a small image's blobs and its manifest, by tag or (null) by digest only.</summary>
    private async Task<TestImage> PushAsync(string repository, string? reference)
    {
        var image = await Client.PushImageBlobsAsync(repository, layerSize: 200);
        using var put = await Client.PutManifestAsync(repository, reference ?? image.Digest.ToString(), image.Manifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return image;
    }

    private async Task AssertIntactAsync(string repository, string tag, TestImage image)
    {
        Assert.Equal(image.Manifest, await Client.GetStringAsync($"/v2/{repository}/manifests/{tag}"));
        Assert.Equal(image.Config, await Client.GetByteArrayAsync($"/v2/{repository}/blobs/{image.ConfigDigest}"));
        Assert.Equal(image.Layer, await Client.GetByteArrayAsync($"/v2/{repository}/blobs/{image.LayerDigest}"));
    }
}
