using System.Net;
using Microsoft.Extensions.DependencyInjection;
using U7s.Sigstore.Http;
using U7s.Sigstore.Store;
using U7s.Sigstore.Tests.Store;

namespace U7s.Sigstore.Tests.Http;

/// <summary>
/// The :81 cache of small files against real Kestrel over a real tree: byte-exact from the cache (GET
/// and HEAD), and a file that leaves the tree's rules (deleted, chmod 0600, replaced by a symlink, its
/// directory swapped for one, renumbered) stops being served once <see cref="ServedFileCache.MaxAge"/>
/// has passed. The clock is moved by hand; one test waits the real second the README states.
/// </summary>
public sealed class ServedFileCacheTests : IDisposable
{
    private const string Hex = "035d35a9bb1b2d5cb1e0a7c1b0f2e0f1ad3b3f7ccdb1d7b4cb0f2f0a35d3e0aa";
    private const string SignatureDirectory = "sigstore/k8s/pause@sha256=" + Hex;
    private const string Signature1 = "/" + SignatureDirectory + "/signature-1";

    private readonly TempDirectory _tree = new("u7s-cache-tree");
    private readonly TempDirectory _outside = new("u7s-cache-outside");
    private readonly ManualClock _clock = new();
    private readonly byte[] _signature = [0xA3, 1, 2, 3, 0, 255, 7];

    public ServedFileCacheTests()
    {
        Directory.CreateDirectory(_tree.Combine(SignatureDirectory));
        File.WriteAllBytes(_tree.Combine(SignatureDirectory, "signature-1"), _signature);
        File.WriteAllText(_outside.Combine("secret"), "-----BEGIN PGP PRIVATE KEY BLOCK-----");
    }

    public void Dispose()
    {
        _tree.Dispose();
        _outside.Dispose();
    }

    [Fact]
    public async Task Get_Repeated_ServesTheSameBytesAndHeadersFromTheCache()
    {
        await using var server = await StartAsync(_clock);
        using var first = await server.Client.GetAsync(new Uri(Signature1, UriKind.Relative));
        Assert.Equal(_signature, await first.Content.ReadAsByteArrayAsync());

        // The file is gone from disk; within the bound the cached copy answers, byte for byte.
        File.Delete(_tree.Combine(SignatureDirectory, "signature-1"));
        using var second = await server.Client.GetAsync(new Uri(Signature1, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(_signature, await second.Content.ReadAsByteArrayAsync());
        Assert.Equal(first.Content.Headers.LastModified, second.Content.Headers.LastModified);
        Assert.Equal("application/octet-stream", second.Content.Headers.ContentType?.MediaType);

        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, Signature1));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(_signature.Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Get_DeletedFile_Is404OnceTheBoundHasPassed()
    {
        await using var server = await StartAsync(_clock);
        await AssertServedAsync(server, Signature1, _signature);
        File.Delete(_tree.Combine(SignatureDirectory, "signature-1"));

        _clock.Advance(ServedFileCache.DefaultMaxAge);
        await AssertNotFoundAsync(server, Signature1);
    }

    [Fact]
    public async Task Get_FileMade0600_Is404OnceTheBoundHasPassed()
    {
        await using var server = await StartAsync(_clock);
        await AssertServedAsync(server, Signature1, _signature);
        File.SetUnixFileMode(_tree.Combine(SignatureDirectory, "signature-1"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        _clock.Advance(ServedFileCache.DefaultMaxAge);
        await AssertNotFoundAsync(server, Signature1);
    }

    [Fact]
    public async Task Get_FileReplacedBySymlink_Is404OnceTheBoundHasPassed()
    {
        await using var server = await StartAsync(_clock);
        await AssertServedAsync(server, Signature1, _signature);
        File.Delete(_tree.Combine(SignatureDirectory, "signature-1"));
        File.CreateSymbolicLink(_tree.Combine(SignatureDirectory, "signature-1"), _outside.Combine("secret"));

        _clock.Advance(ServedFileCache.DefaultMaxAge);
        await AssertNotFoundAsync(server, Signature1);
    }

    [Fact]
    public async Task Get_DirectorySwappedForSymlink_Is404OnceTheBoundHasPassed()
    {
        await using var server = await StartAsync(_clock);
        await AssertServedAsync(server, Signature1, _signature);

        // The same file, now reached through a symlinked directory: the tree refuses the path.
        Directory.Move(_tree.Combine(SignatureDirectory), _outside.Combine("moved"));
        Directory.CreateSymbolicLink(_tree.Combine(SignatureDirectory), _outside.Combine("moved"));

        _clock.Advance(ServedFileCache.DefaultMaxAge);
        await AssertNotFoundAsync(server, Signature1);
    }

    [Fact]
    public async Task Get_FileRenumbered_ServesTheNewBytesOnceTheBoundHasPassed()
    {
        File.WriteAllBytes(_tree.Combine(SignatureDirectory, "signature-2"), [9, 9, 9]);
        await using var server = await StartAsync(_clock);
        await AssertServedAsync(server, Signature1, _signature);

        // What deleting signature 1 does: signature 2 takes its place.
        var store = new SignatureStore(new FileSystemSigstoreTree(_tree.Path));
        await store.DeleteAsync(Oci.RepositoryName.Parse("k8s/pause"), Oci.Digest.Parse("sha256:" + Hex), 1, CancellationToken.None);

        _clock.Advance(ServedFileCache.DefaultMaxAge);
        await AssertServedAsync(server, Signature1, [9, 9, 9]);
        await AssertNotFoundAsync(server, "/" + SignatureDirectory + "/signature-2");
    }

    [Fact]
    public async Task Get_SignatureAddedAfterA404_IsServedAtOnce()
    {
        await using var server = await StartAsync(_clock);
        var path = "/" + SignatureDirectory + "/signature-2";
        await AssertNotFoundAsync(server, path);

        File.WriteAllBytes(_tree.Combine(SignatureDirectory, "signature-2"), [5, 6]);
        await AssertServedAsync(server, path, [5, 6]);
    }

    [Fact]
    public async Task Get_FileMade0600_Is404AfterOneRealSecond()
    {
        await using var server = await StartAsync(TimeProvider.System);
        await AssertServedAsync(server, Signature1, _signature);
        File.SetUnixFileMode(_tree.Combine(SignatureDirectory, "signature-1"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        await Task.Delay(ServedFileCache.DefaultMaxAge + TimeSpan.FromMilliseconds(50));
        await AssertNotFoundAsync(server, Signature1);
    }

    [Fact]
    public void Add_PastTheEntryOrByteBound_KeepsWithinBoth()
    {
        var cache = new ServedFileCache(_clock, TimeSpan.FromSeconds(1), maxEntries: 3, maxBytes: 100, maxFileBytes: 40);
        for (var i = 0; i < 50; i++)
        {
            cache.Add($"f{i}", new byte[30], DateTimeOffset.UnixEpoch);
            Assert.InRange(cache.Count, 1, 3);
            Assert.InRange(cache.Bytes, 30, 100);
            Assert.True(cache.TryGet($"f{i}", out _));
        }

        cache.Add("big", new byte[41], DateTimeOffset.UnixEpoch);
        Assert.False(cache.TryGet("big", out _));

        // Re-adding a path replaces it; its bytes are not counted twice.
        cache.Add("f49", new byte[10], DateTimeOffset.UnixEpoch);
        Assert.True(cache.TryGet("f49", out var entry));
        Assert.Equal(10, entry.Content.Length);
        cache.Remove("f49");
        Assert.False(cache.TryGet("f49", out _));
        Assert.Equal(cache.Count * 30L, cache.Bytes);
    }

    private Task<SigstoreServer> StartAsync(TimeProvider time) =>
        SigstoreServer.StartAsync(s => s.AddSingleton(time).AddSingleton<ISigstoreTree>(new FileSystemSigstoreTree(_tree.Path)));

    private static async Task AssertServedAsync(SigstoreServer server, string path, byte[] expected)
    {
        using var response = await server.Client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, await response.Content.ReadAsByteArrayAsync());
    }

    private static async Task AssertNotFoundAsync(SigstoreServer server, string path)
    {
        using var response = await server.Client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>A monotonic clock that moves only when told to.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
