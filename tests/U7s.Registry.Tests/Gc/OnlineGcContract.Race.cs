using System.Collections.Concurrent;
using System.Net;
using U7s.Registry.Gc;
using U7s.Registry.Tests.Http;
using U7s.Testing;

namespace U7s.Registry.Tests.Gc;

/// <summary>Collections in a loop against pushes and tag PUTs from several clients, then every acknowledgement checked.</summary>
public abstract partial class OnlineGcContract
{
    private static readonly string[] RaceRepositories = ["race/a", "race/b", "race/c", "race/d"];

    /// <summary>How long the clients and the collections race, in real time.</summary>
    protected virtual TimeSpan RaceTime => TimeSpan.FromSeconds(10);

    /// <summary>Real time in which the test clock passes one grace period while the race runs.</summary>
    protected virtual TimeSpan GraceEvery => TimeSpan.FromMilliseconds(400);

    /// <summary>The fewest acknowledged tags a race must reach for its verdict to mean something.</summary>
    protected virtual int MinimumAcknowledged => 300;

    /// <summary>Real time between the end of one collection and the start of the next while the race runs.</summary>
    protected virtual TimeSpan CollectionInterval => TimeSpan.FromMilliseconds(250);

    protected virtual int Clients => 8;

    /// <summary>Images pushed by digest only and aged past grace before the race.</summary>
    protected virtual int OldImages => 40;

    [ContractFact]
    public async Task Collections_RacingThousandsOfPushesAndTagPuts_LoseNothingAcknowledged()
    {
        // Images pushed by digest only and left past their grace period: tagging one while a collection runs is
        // the tag PUT that must never end up pointing at a deleted manifest.
        var untagged = new ConcurrentQueue<Pushed>();
        for (var i = 0; i < OldImages; i++)
        {
            var repository = RaceRepositories[i % RaceRepositories.Length];
            var touched = Clock.Now;
            var image = await Client.PushImageBlobsAsync(repository, layerSize: 64);
            using var put = await Client.PutManifestAsync(repository, image.Digest.ToString(), image.Manifest);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            untagged.Enqueue(new Pushed(repository, image, touched));
        }

        Clock.Advance(Grace * 2);
        var race = new Race(Client, Clock, untagged);
        var view = Storage.Open(Clock);
        var gc = new GarbageCollector(view.Blobs, view.Metadata, view.Lock, Clock);
        using var stop = new CancellationTokenSource(RaceTime);
        var collections = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                race.Collected(await gc.RunAsync(new GcOptions(false, Grace, DeleteUntagged: true), CancellationToken.None));
                await Task.Delay(CollectionInterval, CancellationToken.None);
            }
        });
        var ticks = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(GraceEvery / 20);
                Clock.Advance(Grace / 20);
            }
        });
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(() => race.RunClientAsync(c, stop.Token))).Append(collections).Append(ticks));

        // What the collections deleted while the pushes raced them, before the last one below.
        var (racedManifests, racedBlobs) = (race.DeletedManifests, race.DeletedBlobs);

        // Once more after the race, with everything past grace: from now on only the tags keep anything.
        Clock.Advance(Grace * 2);
        race.Collected(await gc.RunAsync(new GcOptions(false, Grace, DeleteUntagged: true), CancellationToken.None));

        var lost = new ConcurrentQueue<string>();
        await Parallel.ForEachAsync(race.Acknowledged, new ParallelOptions { MaxDegreeOfParallelism = Clients }, async (tagged, ct) =>
        {
            if (await CheckIntactAsync(tagged) is { Count: > 0 } problems)
            {
                lost.Enqueue(string.Join(", ", problems));
            }
        });

        var summary = $"{race.Acknowledged.Count} tags acknowledged, {race.Refused} manifest PUTs refused for blobs collected past their grace, " +
            $"{race.Collections} collections deleted {race.DeletedManifests} manifests and {race.DeletedBlobs} blobs, {racedManifests} and {racedBlobs} of them while the pushes raced";
        Output.WriteLine(summary);
        Assert.True(race.Problems.IsEmpty, $"{summary}; unexpected answers: {string.Join("; ", race.Problems.Take(10))}");
        Assert.True(lost.IsEmpty, $"{summary}; {lost.Count} of them lost their manifest or a blob: {string.Join("; ", lost.Take(5))}");
        Assert.True(race.Acknowledged.Count >= MinimumAcknowledged, $"too few pushes to tell anything: {summary}");
        Assert.True(race.Collections >= 3 && racedManifests > 0 && racedBlobs > 0, $"the collections deleted nothing while the pushes raced them: {summary}");
    }

    /// <summary>What a GET of each part of an acknowledged tag finds wrong; empty when the manifest and its blobs are intact.</summary>
    private async Task<IReadOnlyList<string>> CheckIntactAsync(Tagged tagged)
    {
        var problems = new List<string>();
        var (repository, tag, image) = tagged;
        using (var manifest = await Client.GetAsync($"/v2/{repository}/manifests/{tag}"))
        {
            if (manifest.StatusCode != HttpStatusCode.OK || await manifest.Content.ReadAsStringAsync() != image.Manifest)
            {
                problems.Add($"{repository}:{tag} manifest {image.Digest}: {(int)manifest.StatusCode}");
            }
        }

        foreach (var (digest, bytes) in new[] { (image.ConfigDigest, image.Config), (image.LayerDigest, image.Layer) })
        {
            using var blob = await Client.GetAsync($"/v2/{repository}/blobs/{digest}");
            if (blob.StatusCode != HttpStatusCode.OK || !(await blob.Content.ReadAsByteArrayAsync()).AsSpan().SequenceEqual(bytes))
            {
                problems.Add($"{repository}:{tag} blob {digest}: {(int)blob.StatusCode}");
            }
        }

        return problems;
    }

    /// <summary>An image whose manifest was pushed by digest; its blobs were last used no earlier than <paramref name="Touched"/>.</summary>
    private sealed record Pushed(string Repository, TestImage Image, DateTimeOffset Touched);

    private sealed record Tagged(string Repository, string Tag, TestImage Image);

    /// <summary>The clients' side of the race: what was acknowledged, refused, or answered unexpectedly.</summary>
    private sealed class Race(HttpClient client, ManualTimeProvider clock, ConcurrentQueue<Pushed> untagged)
    {
        private int _refused;
        private int _collections;
        private int _deletedManifests;
        private int _deletedBlobs;

        public ConcurrentBag<Tagged> Acknowledged { get; } = [];

        public ConcurrentQueue<string> Problems { get; } = new();

        public int Refused => _refused;

        public int Collections => _collections;

        public int DeletedManifests => _deletedManifests;

        public int DeletedBlobs => _deletedBlobs;

        public void Collected(GcReport report)
        {
            Interlocked.Increment(ref _collections);
            Interlocked.Add(ref _deletedManifests, report.DeletedManifests.Count);
            Interlocked.Add(ref _deletedBlobs, report.DeletedBlobs.Count);
        }

        /// <summary>
        /// Pushes images: blobs, the manifest by digest, then a tag for it at once, a place in the untagged pool, or
        /// nothing more (abandoned); and each round tags the oldest image of the pool once it nears the grace period,
        /// when a collection may be deleting it.
        /// </summary>
        public async Task RunClientAsync(int id, CancellationToken stop)
        {
            var random = new Random(id);
            var round = 0;
            while (!stop.IsCancellationRequested)
            {
                var repository = RaceRepositories[random.Next(RaceRepositories.Length)];
                var touched = clock.Now;
                var image = await client.PushImageBlobsAsync(repository, layerSize: 64);
                if (await PutAsync(repository, image.Digest.ToString(), image, touched))
                {
                    switch (random.Next(3))
                    {
                        case 0:
                            untagged.Enqueue(new Pushed(repository, image, touched));
                            break;
                        case 1 when await PutAsync(repository, $"c{id}-{round}", image, touched):
                            Acknowledged.Add(new Tagged(repository, $"c{id}-{round}", image));
                            break;
                        default:
                            // Abandoned, as a push that never gets its tag: garbage a collection must find while others push.
                            break;
                    }
                }

                // Tagged when about as old as the grace period: what a collection is deciding about just then.
                if (untagged.TryPeek(out var oldest) && clock.Now - oldest.Touched >= Grace * (0.9 + (random.NextDouble() * 0.4))
                    && untagged.TryDequeue(out var old) && await PutAsync(old.Repository, $"c{id}-{round}-late", old.Image, old.Touched))
                {
                    Acknowledged.Add(new Tagged(old.Repository, $"c{id}-{round}-late", old.Image));
                }

                round++;
            }
        }

        /// <summary>
        /// PUTs the manifest; true when acknowledged. MANIFEST_BLOB_UNKNOWN is a correct answer only once the
        /// blobs went unused for longer than the grace period (a collection keeps them before); anything else is a problem.
        /// </summary>
        private async Task<bool> PutAsync(string repository, string reference, TestImage image, DateTimeOffset touched)
        {
            using var response = await client.PutManifestAsync(repository, reference, image.Manifest);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                return true;
            }

            var body = await response.Content.ReadAsStringAsync();
            var idle = clock.Now - touched;
            if (response.StatusCode == HttpStatusCode.BadRequest && body.Contains("MANIFEST_BLOB_UNKNOWN", StringComparison.Ordinal) && idle > Grace)
            {
                Interlocked.Increment(ref _refused);
            }
            else
            {
                Problems.Enqueue($"PUT {repository}:{reference} after {idle} idle: {(int)response.StatusCode} {body}");
            }

            return false;
        }
    }
}
