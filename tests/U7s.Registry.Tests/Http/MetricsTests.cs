using System.Net;
using System.Text.RegularExpressions;

namespace U7s.Registry.Tests.Http;

/// <summary>
/// <c>/metrics</c> against clients that choose their own values: invented method tokens, paths and
/// repository names never add a series, so neither the server's memory nor the page grows with them.
/// </summary>
public sealed partial class MetricsTests : IAsyncLifetime
{
    private readonly RegistryServer _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task InventedMethodsPathsAndNames_AddNoSeries_PageStaysTheSameSize()
    {
        var client = _server.Client;
        await SendAsync(client, 20);

        // Read twice: the first read counts itself (GET 200) only once it has answered.
        await client.GetStringAsync("/metrics");
        var before = await client.GetStringAsync("/metrics");

        // Ten times as many, each with its own method token, path and repository name.
        await SendAsync(client, 200);
        var after = await client.GetStringAsync("/metrics");

        Assert.Equal(Series(before), Series(after));
        Assert.InRange(Series(after).Count, 4, 20);
        Assert.InRange(after.Length, 1, 4096);
        Assert.Matches(@"u7s_registry_requests_total\{method=""other"",status=""404""\} 220\n", after);
        Assert.Matches(@"u7s_registry_requests_total\{method=""GET"",status=""404""\} 220\n", after);
        Assert.DoesNotContain("M219", after, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(200, "200")]
    [InlineData(431, "431")]
    [InlineData(418, "4xx")]
    [InlineData(299, "2xx")]
    [InlineData(599, "5xx")]
    [InlineData(99, "other")]
    [InlineData(1000, "other")]
    [InlineData(-1, "other")]
    public void Status_KnownByCode_OthersByClass(int status, string label) =>
        Assert.Equal(label, RegistryMetrics.Statuses[RegistryMetrics.StatusLabel(status)]);

    [Fact]
    public void ErrorCodesAndOutcomes_NotInTheFixedSet_CountAsOther()
    {
        var metrics = new RegistryMetrics();
        metrics.Error("NAME_UNKNOWN");
        metrics.Error("MADE_UP");
        metrics.Error("ALSO\"MADE}UP");
        metrics.ManifestAccess("signed");
        metrics.ManifestAccess("anything");
        metrics.RequestCompleted("get", 200);
        metrics.RequestCompleted("GET", 200);

        var text = metrics.Render();

        Assert.Contains("u7s_registry_errors_total{code=\"NAME_UNKNOWN\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("u7s_registry_errors_total{code=\"other\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("u7s_registry_enforce_total{outcome=\"signed\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("u7s_registry_enforce_total{outcome=\"other\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("u7s_registry_requests_total{method=\"GET\",status=\"200\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("u7s_registry_requests_total{method=\"other\",status=\"200\"} 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("MADE", text, StringComparison.Ordinal);
    }

    /// <summary>Per round: an invented method on an invented path, and a GET of an invented repository.</summary>
    private static async Task SendAsync(HttpClient client, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using (var invented = await client.SendAsync(new HttpRequestMessage(new HttpMethod($"M{i}"), $"/x{i}/y")))
            {
                Assert.Equal(HttpStatusCode.NotFound, invented.StatusCode);
            }

            using var unknown = await client.GetAsync($"/v2/{OciClient.NewRepo()}/tags/list");
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

    }

    private static List<string> Series(string metrics) => SeriesLine().Matches(metrics).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex(@"^(u7s_registry_\w+\{[^}]*\}) \d+$", RegexOptions.Multiline)]
    private static partial Regex SeriesLine();
}
