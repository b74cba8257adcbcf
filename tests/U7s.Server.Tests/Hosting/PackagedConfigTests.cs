using System.Text.Json;
using U7s.Server.Hosting;

namespace U7s.Server.Tests.Hosting;

/// <summary>The sample config the packages install as <c>/etc/u7s/u7s.yaml</c>: it loads, and it changes nothing.</summary>
public sealed class PackagedConfigTests
{
    private static readonly Dictionary<string, string?> None = [];

    [Fact]
    public void PackagedSample_LoadsAsTheBuiltInDefaults()
    {
        var sample = ServeConfiguration.Load(Path.Combine(AppContext.BaseDirectory, "packaging", "u7s.yaml"), None, None);
        var defaults = ServeConfiguration.Load(null, None, None);

        Assert.Null(sample.S3);
        Assert.Empty(sample.Warnings);
        Assert.Equal(JsonSerializer.Serialize(defaults.Registry), JsonSerializer.Serialize(sample.Registry));
        Assert.Equal(JsonSerializer.Serialize(defaults.Sigstore), JsonSerializer.Serialize(sample.Sigstore));
    }
}
