using System.Net;
using Microsoft.Extensions.DependencyInjection;
using U7s.Oci;
using U7s.Registry.Access;
using U7s.Registry.Status;

namespace U7s.Registry.Tests.Http;

/// <summary>
/// The status page's list is one shared snapshot: once it is older than RecheckAfter, any number of
/// concurrent requests, filtered or not, cost one rebuild of it (counted), never one each.
/// </summary>
public sealed class StatusSharingTests : IAsyncLifetime
{
    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(5);
    private readonly SteppingClock _clock = new();
    private readonly CountingSignatures _signatures = new();
    private readonly RegistryServer _server;

    public StatusSharingTests()
    {
        _server = new RegistryServer { ConfigureServices = s => s.AddSingleton<TimeProvider>(_clock).AddSingleton<IImageSignatures>(_signatures) };
        _server.Options.Enforce.RecheckAfter = Recheck;
    }

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task AfterExpiry_ConcurrentFilteredAndPlainRequests_CauseOneRebuild()
    {
        var client = _server.Client;
        var prefix = "share" + Guid.NewGuid().ToString("N")[..6];
        for (var i = 0; i < 3; i++)
        {
            await client.PushImageAsync($"{prefix}/app{i}", "1");
            await client.PushImageAsync($"{prefix}/app{i}", "2");
        }

        await GetAsync(client, "/ui/status.json");
        var collector = _server.Services.GetRequiredService<StatusCollector>();
        Assert.Equal(1, collector.Rebuilds);
        Assert.Equal(6, _signatures.Reports);

        // Fresh: filters read the kept list.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => GetAsync(client, $"/ui/status.json?repository={prefix}/app{i % 3}")));
        Assert.Equal(1, collector.Rebuilds);

        // Expired: many at once, every kind of filter, one rebuild between them.
        _clock.Advance(Recheck + TimeSpan.FromSeconds(1));
        _signatures.Slow = true;
        var paths = Enumerable.Range(0, 24).Select(i => (i % 4) switch
        {
            0 => $"/ui/status.json?repository={prefix}",
            1 => "/ui/?signer=nobody",
            2 => $"/ui/?repository=app{i % 3}&signer=x",
            _ => "/ui/status.json",
        });
        await Task.WhenAll(paths.Select(p => GetAsync(client, p)));

        Assert.Equal(2, collector.Rebuilds);
        Assert.Equal(12, _signatures.Reports);
    }

    [Fact]
    public async Task APushThroughThisProcess_ShowsAtOnce_InAFilteredPageToo()
    {
        var client = _server.Client;
        var prefix = "push" + Guid.NewGuid().ToString("N")[..6];
        await client.PushImageAsync($"{prefix}/a", "1");
        Assert.Contains($"{prefix}/a", await GetAsync(client, $"/ui/status.json?repository={prefix}"), StringComparison.Ordinal);

        // The store raised the change: the next page, of any filter, reads again without waiting for RecheckAfter.
        await client.PushImageAsync($"{prefix}/b", "1");
        Assert.Contains($"{prefix}/b", await GetAsync(client, $"/ui/status.json?repository={prefix}/b"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AChangeMadeThroughTheStoreItself_NoRequestNoAudit_ShowsAtOnce()
    {
        var client = _server.Client;
        var prefix = "store" + Guid.NewGuid().ToString("N")[..6];
        var repository = RepositoryName.Parse($"{prefix}/a");
        await client.PushImageAsync(repository.Value, "1");
        Assert.DoesNotContain("\"tag\":\"copy\"", await GetAsync(client, $"/ui/status.json?repository={prefix}"), StringComparison.Ordinal);
        var rebuilds = _server.Services.GetRequiredService<StatusCollector>().Rebuilds;

        // As the loader or gc would: straight into the store, no HTTP request, nothing audited.
        var store = _server.Services.GetRequiredService<U7s.Registry.Storage.IMetadataStore>();
        var digest = await store.ResolveTagOrNullAsync(repository, Tag.Parse("1"), default);
        await store.SetTagAsync(repository, Tag.Parse("copy"), digest!.Value, default);
        Assert.Contains("\"tag\":\"copy\"", await GetAsync(client, $"/ui/status.json?repository={prefix}"), StringComparison.Ordinal);

        await store.DeleteTagAsync(repository, Tag.Parse("copy"), default);
        Assert.DoesNotContain("\"tag\":\"copy\"", await GetAsync(client, $"/ui/status.json?repository={prefix}"), StringComparison.Ordinal);
        Assert.Equal(rebuilds + 2, _server.Services.GetRequiredService<StatusCollector>().Rebuilds);
    }

    private static async Task<string> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>No policy, as the registry's default, but counted; slowed on request so that rebuilds and requests overlap.</summary>
    private sealed class CountingSignatures : IImageSignatures
    {
        private int _reports;

        public int Reports => Volatile.Read(ref _reports);

        public bool Slow { get; set; }

        public async ValueTask<SignatureReport> ReportAsync(RepositoryName repository, Tag? tag, Digest digest, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reports);
            if (Slow)
            {
                await Task.Delay(20, cancellationToken);
            }

            return SignatureReport.NoPolicy;
        }
    }
}
