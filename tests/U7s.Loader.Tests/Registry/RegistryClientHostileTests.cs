using U7s.Loader.Registry;
using U7s.Oci;
using U7s.Testing;

namespace U7s.Loader.Tests.Registry;

/// <summary>
/// The loader's registry client against a registry that answers with endless chunked bodies: it reads no more of
/// a manifest, a tag list page or an error than it keeps, and fails with one <see cref="RegistryException"/>.
/// </summary>
public sealed class RegistryClientHostileTests
{
    private const long Offered = 96L << 20;
    private static readonly RepositoryName Repo = RepositoryName.Parse("app");

    [Fact]
    public async Task EndlessErrorBody_OnlyItsStartIsRead()
    {
        await using var hostile = await HostileServer.StartAsync(h => h.Map("/v2/app/blobs/uploads/", h.Endless("application/json", "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"", "no ", Offered, status: 500)));
        using var http = new HttpClient();

        var e = await Assert.ThrowsAsync<RegistryException>(() => new RegistryClient(http, hostile.BaseAddress).MountOrStartUploadAsync(Repo, Digest.Compute("x"u8), null, default));

        Assert.Contains("answered 500", e.Message, StringComparison.Ordinal);
        Assert.True(hostile.BytesSent < 24L << 20, $"the server sent {hostile.BytesSent} bytes before the client stopped");
    }

    [Fact]
    public async Task EndlessTagListPage_IsRefusedPastItsLimit()
    {
        await using var hostile = await HostileServer.StartAsync(h => h.Map("/v2/app/tags/list", h.Endless("application/json", "{\"name\":\"app\",\"tags\":[", "\"v1\",", Offered)));
        using var http = new HttpClient();

        var e = await Assert.ThrowsAsync<RegistryException>(async () =>
        {
            await foreach (var unused in new RegistryClient(http, hostile.BaseAddress).ListTagsAsync(Repo, default))
            {
            }
        });

        Assert.Contains("larger than", e.Message, StringComparison.Ordinal);
        Assert.True(hostile.BytesSent < 40L << 20, $"the server sent {hostile.BytesSent} bytes before the client stopped");
    }

    [Fact]
    public async Task EndlessManifest_IsRefusedPastItsLimit()
    {
        await using var hostile = await HostileServer.StartAsync(h => h.Map("/v2/app/manifests/v1", h.Endless(MediaTypes.OciManifest, "{\"schemaVersion\":2,\"x\":\"", "a", Offered)));
        using var http = new HttpClient();

        var e = await Assert.ThrowsAsync<RegistryException>(() => new RegistryClient(http, hostile.BaseAddress).GetManifestOrNullAsync(Repo, "v1", default));

        Assert.Contains("larger than", e.Message, StringComparison.Ordinal);
        Assert.True(hostile.BytesSent < 24L << 20, $"the server sent {hostile.BytesSent} bytes before the client stopped");
    }
}
