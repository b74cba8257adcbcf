using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using U7s.Registry.Status;

namespace U7s.Registry.Tests.Http;

/// <summary>
/// "Pushed" on the status page is when the tag got its digest in that repository: the same manifest pushed into another
/// repository later, or pushed again under the same tag, changes no other row (it used to be the digest's last use,
/// shared by every row with that digest).
/// </summary>
public sealed class StatusPushedTimeTests : IAsyncLifetime
{
    private readonly RegistryServer _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task SameDigestInTwoRepositoriesAtDifferentTimes_EachRowShowsItsOwnTime()
    {
        var client = _server.Client;
        var prefix = "pushed" + Guid.NewGuid().ToString("N")[..6];
        var image = await client.PushImageAsync($"{prefix}/first", "v1");
        var first = await PushedAsync(client, prefix);

        // Another repository gets the same manifest (its blobs mounted) well after the first.
        await Task.Delay(TimeSpan.FromMilliseconds(1100));
        await MountAsync(client, $"{prefix}/first", $"{prefix}/second", image);
        (await client.PutManifestAsync($"{prefix}/second", "v1", image.Manifest)).EnsureSuccessStatusCode();
        // The first repository's tag pushed again with the same digest: it had that digest already.
        (await client.PutManifestAsync($"{prefix}/first", "v1", image.Manifest)).EnsureSuccessStatusCode();
        var after = await PushedAsync(client, prefix);

        Assert.Equal(first[$"{prefix}/first"], after[$"{prefix}/first"]);
        Assert.True(after[$"{prefix}/second"] - after[$"{prefix}/first"] >= TimeSpan.FromSeconds(1), $"{after[$"{prefix}/first"]:O} then {after[$"{prefix}/second"]:O}");
    }

    private static async Task MountAsync(HttpClient client, string from, string to, TestImage image)
    {
        foreach (var digest in new[] { image.ConfigDigest, image.LayerDigest })
        {
            using var response = await client.PostAsync($"/v2/{to}/blobs/uploads/?mount={digest}&from={from}", null);
            Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        }
    }

    private static async Task<Dictionary<string, DateTimeOffset>> PushedAsync(HttpClient client, string prefix)
    {
        using var document = JsonDocument.Parse(await client.GetStringAsync($"/ui/status.json?repository={prefix}"));
        return document.RootElement.GetProperty("images").EnumerateArray()
            .ToDictionary(i => i.GetProperty("repository").GetString()!, i => i.GetProperty("pushed").GetDateTimeOffset());
    }
}
