using U7s.Cluster.Node;
using U7s.Cluster.Tests.Support;
using U7s.Testing;

namespace U7s.Cluster.Tests.Node;

/// <summary>The key download reads what podsec's nginx (autoindex_format json) serves.</summary>
public sealed class KeyFetcherNginxTests : IDisposable
{
    private readonly TempDirectory _work = new("u7s-nginx");

    public void Dispose() => _work.Dispose();

    [RequiresToolFact("nginx")]
    public async Task Fetch_NginxJsonListing_EveryListedFileBytesExact()
    {
        var www = _work.Combine("www");
        Directory.CreateDirectory(Path.Join(www, "keys", "old"));
        var binaryKey = new byte[] { 0x99, 0x01, 0x8d, 0x04, 0x00, 0xff, 0x0a };
        File.WriteAllBytes(Path.Join(www, "keys", "imagemaker.pgp"), binaryKey);
        File.WriteAllText(Path.Join(www, "keys", "policy.json"), """{"default":[{"type":"reject"}]}""");
        File.WriteAllText(Path.Join(www, "keys", ".hidden"), "x");
        await using var nginx = await NginxProcess.StartAsync(_work.Path, www);
        using var http = new HttpClient();

        var files = await new KeyFetcher(http).FetchAsync(new Uri(nginx.BaseAddress, "keys/"), default);

        Assert.Equal(["imagemaker.pgp", "policy.json"], files.Select(f => f.Name));
        Assert.Equal(binaryKey, files[0].Content);
    }

    [RequiresToolFact("nginx")]
    public async Task Fetch_NameNotResolvable_ConnectToGivenAddress_FetchesWithTheNameAsHost()
    {
        // A fresh node: sigstore.local has no hosts line yet. .invalid never resolves (RFC 6761), so only a request
        // that goes to the given address can succeed.
        var www = _work.Combine("www");
        Directory.CreateDirectory(Path.Join(www, "keys"));
        File.WriteAllText(Path.Join(www, "keys", "policy.json"), """{"default":[{"type":"reject"}]}""");
        await using var nginx = await NginxProcess.StartAsync(_work.Path, www);
        using var http = new HttpClient();
        var named = new Uri($"http://sigstore.invalid:{nginx.BaseAddress.Port}/keys/");

        var unreachable = await Assert.ThrowsAsync<ClusterException>(() => new KeyFetcher(http).FetchAsync(named, default));
        var files = await new KeyFetcher(http).FetchAsync(named, default, connectTo: "127.0.0.1");

        Assert.Equal(ClusterErrorKind.Unavailable, unreachable.Kind);
        Assert.Equal(["policy.json"], files.Select(f => f.Name));
    }

    [RequiresToolFact("nginx")]
    public async Task Fetch_MissingDirectory_Unavailable()
    {
        var www = _work.Combine("www");
        Directory.CreateDirectory(www);
        await using var nginx = await NginxProcess.StartAsync(_work.Path, www);
        using var http = new HttpClient();

        var e = await Assert.ThrowsAsync<ClusterException>(() => new KeyFetcher(http).FetchAsync(new Uri(nginx.BaseAddress, "keys/"), default));

        Assert.Equal(ClusterErrorKind.Unavailable, e.Kind);
        Assert.Contains("404", e.Message, StringComparison.Ordinal);
    }
}
