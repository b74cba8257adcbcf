using System.Net;
using System.Net.Sockets;
using U7s.Cli.Tests.Support;
using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

/// <summary>
/// The verbs that write or read an <c>s3://</c> signature tree themselves, against a store nobody answers for: one
/// line on stderr that names the store, exit code 5, and never an SDK type or a stack.
/// </summary>
public sealed class StoreUnavailableVerbTests : IDisposable
{
    private readonly TempDirectory _dir = new("u7s-store-verbs");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task KeysSignVerify_StoreThatCannotBeReached_OneLine_Exit5()
    {
        await using var registry = await U7sProcess.StartAsync(_dir.Combine("data"), _dir.Combine("sig"));
        using var client = new HttpClient { BaseAddress = registry.RegistryUrl };
        var pushed = await SmallImage.PushAsync(client, "app", "1");
        var image = $"{registry.RegistryUrl.Authority}/app:1";
        var keyDir = _dir.Combine("keys");
        (await U7sProcess.RunAsync(["keys", "import", SampleKeys.PathOf("signer.sec.asc"), "--key-dir", keyDir])).EnsureSuccess("keys import");
        var store = $"http://127.0.0.1:{ClosedPort()}";
        var environment = new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = store, ["AWS_ACCESS_KEY_ID"] = "u7s-test", ["AWS_SECRET_ACCESS_KEY"] = "u7s-test" };

        foreach (var (verb, arguments, says) in new (string, string[], string)[]
        {
            ("keys import --publish", ["keys", "import", SampleKeys.PathOf("signer.sec.asc"), "--key-dir", _dir.Combine("keys2"), "--publish", "--sigstore-root", "s3://u7s/", "--user", "imagemaker"], "cannot publish the public key: "),
            ("sign", ["sign", image, "--key", SampleKeys.SignerEmail, "--key-dir", keyDir, "--sigstore-root", "s3://u7s/", "--registry-url", registry.RegistryUrl.ToString()], "cannot write the signature: "),
            ("verify", ["verify", image, "--sigstore-root", "s3://u7s/", "--registry-url", registry.RegistryUrl.ToString(), "--keyring", SampleKeys.PathOf("signer.pub.asc")], $"cannot read the signatures of {pushed.Digest}: "),
        })
        {
            var result = await U7sProcess.RunAsync(arguments, environment);

            Assert.True(result.ExitCode == ExitCodes.Unavailable, $"{verb}: exit {result.ExitCode}: {result.StandardError}");
            Assert.StartsWith($"u7s: {says}cannot reach s3://u7s/ at {store}", result.StandardError, StringComparison.Ordinal);
            Assert.Single(result.StandardError.TrimEnd('\n').Split('\n'));
            Assert.DoesNotContain("Amazon", result.StandardError, StringComparison.Ordinal);
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
