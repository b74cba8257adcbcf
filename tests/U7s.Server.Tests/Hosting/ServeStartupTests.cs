using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using U7s.Server;
using U7s.Server.Hosting;

namespace U7s.Server.Tests.Hosting;

/// <summary>
/// <c>u7s serve</c> starts through one ordered list of named checks: a good configuration passes all of them in
/// that order, and a bad value in any stage stops the start there, with one line naming the setting.
/// </summary>
public sealed class ServeStartupTests : IDisposable
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];
    private readonly TempDirectory _dir = new();

    [Fact]
    public void Order_IsSettingsFilesStoreSignersPolicyThenEachListener()
    {
        Assert.Equal(
            ["settings", "data directories and TLS certificates", "storage", "signers file", "enforcement policy", "registry listener", "signature store listener"],
            ServeStartup.Order);
    }

    [Fact]
    public async Task GoodConfiguration_RunsEveryCheckInOrder_ThenServes()
    {
        await using var startup = new ServeStartup(null, Flags(), NoEnvironment, l => l.ClearProviders());

        await startup.RunAsync(CancellationToken.None);

        var host = startup.Host!;
        Assert.Equal(ServeStartup.Order, startup.Ran);
        using var client = new HttpClient { BaseAddress = host.RegistryUrl };
        using var response = await client.GetAsync(new Uri("/v2/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await host.StopAsync();
    }

    public static TheoryData<string, string, string> BadValues => new()
    {
        { "unknown key", ServeStartup.Settings, "command line: unknown setting Registry:Listne (did you mean Registry:Listen?)" },
        { "bad value", ServeStartup.Settings, "Server:ProxyProtocol needs Server:TrustedProxies" },
        { "data root under a file", ServeStartup.Files, "(Registry:DataRoot " },
        { "certificate that is not one", ServeStartup.Files, "Registry:TlsCertificate '" },
        { "signers file not JSON", ServeStartup.Signers, "Registry:Auth:Signers '" },
        { "policy not JSON", ServeStartup.EnforcementPolicy, "Registry:Enforce:Policy" },
        { "registry port taken", ServeStartup.RegistryListener, "Registry:Listen 127.0.0.1:" },
        { "signature store port taken", ServeStartup.SigstoreListener, "Sigstore:Listen 127.0.0.1:" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public async Task BadValueInAStage_StopsThere_OneLineNamingTheSetting(string bad, string stage, string expected)
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var flags = bad switch
        {
            "unknown key" => Flags(("Registry:Listne", "127.0.0.1:0")),
            "bad value" => Flags(("Server:ProxyProtocol", "true")),
            "data root under a file" => Flags(("Registry:DataRoot", Path.Combine(File(_dir.Combine("a-file"), "x"), "data"))),
            "certificate that is not one" => Flags(("Registry:TlsCertificate", File(_dir.Combine("tls.crt"), "not a certificate")), ("Registry:TlsKey", File(_dir.Combine("tls.key"), "not a key"))),
            "signers file not JSON" => Flags(("Registry:Auth:Signers", File(_dir.Combine("signers.json"), "{"))),
            "policy not JSON" => Flags(("Registry:Enforce:Mode", "enforce"), ("Registry:Enforce:Policy", File(_dir.Combine("policy.json"), "{"))),
            "registry port taken" => Flags(("Registry:Listen", $"127.0.0.1:{port}")),
            "signature store port taken" => Flags(("Sigstore:Listen", $"127.0.0.1:{port}")),
            _ => throw new ArgumentOutOfRangeException(nameof(bad)),
        };
        await using var startup = new ServeStartup(null, flags, NoEnvironment, l => l.ClearProviders());

        var e = await Assert.ThrowsAsync<ServerException>(() => startup.RunAsync(CancellationToken.None));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(ServeStartup.Order.TakeWhile(c => c != stage).Append(stage), startup.Ran);
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>A start on loopback ports of the system's choosing, in this test's directory, and <paramref name="changes"/>.</summary>
    private Dictionary<string, string?> Flags(params (string Key, string? Value)[] changes)
    {
        var flags = new Dictionary<string, string?>
        {
            ["Registry:Listen"] = "127.0.0.1:0",
            ["Sigstore:Listen"] = "127.0.0.1:0",
            ["Registry:DataRoot"] = _dir.Combine("data"),
            ["Sigstore:Root"] = _dir.Combine("sigstore"),
            ["Registry:Auth:Signers"] = _dir.Combine("absent-signers.json"),
        };
        foreach (var (key, value) in changes)
        {
            flags[key] = value;
        }

        return flags;
    }

    private static string File(string path, string content)
    {
        System.IO.File.WriteAllText(path, content);
        return path;
    }
}
