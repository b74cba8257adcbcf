using System.Net;
using System.Net.Http.Headers;
using U7s.Testing;

namespace U7s.Cli.Tests.Commands;

public sealed class ServeCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task InvalidListen_OneLineErrorAndUsageExitCode()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["serve", "--data", _dir.Path, "--registry-listen", "nonsense"], stdout, stderr, CancellationToken.None);
        Assert.Equal(ExitCodes.Usage, code);
        var message = stderr.ToString().TrimEnd();
        Assert.StartsWith("u7s: Registry:Listen 'nonsense'", message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public async Task PortInUse_ClearErrorNotAStack()
    {
        using var blocker = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((IPEndPoint)blocker.LocalEndpoint).Port;
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["serve", "--data", _dir.Combine("d"), "--sigstore-root", _dir.Combine("s"), "--registry-listen", $"127.0.0.1:{port}", "--sigstore-listen", "127.0.0.1:0"], stdout, stderr, CancellationToken.None);
        Assert.Equal(ExitCodes.Unavailable, code);
        Assert.Contains("cannot listen", stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_StopsCleanlyOnCancellation()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var cts = new CancellationTokenSource();
        var run = CliApp.RunAsync(["serve", "--data", _dir.Combine("d"), "--sigstore-root", _dir.Combine("s"), "--registry-listen", "127.0.0.1:0", "--sigstore-listen", "127.0.0.1:0"], stdout, stderr, cts.Token);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!stdout.ToString().Contains("registry on", StringComparison.Ordinal) && DateTime.UtcNow < deadline && !run.IsCompleted)
        {
            await Task.Delay(50);
        }

        Assert.Contains("registry on http://127.0.0.1:", stdout.ToString(), StringComparison.Ordinal);
        cts.Cancel();
        Assert.Equal(ExitCodes.Success, await run.WaitAsync(TimeSpan.FromSeconds(20)));

        // Run inside another program's process, serve leaves that process's socket switch (and its children's) alone.
        Assert.Null(Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"));
    }

    [Fact]
    public async Task SignersFlag_MissingFile_ErrorNamesTheFileTheSettingAndTheFlag()
    {
        Directory.CreateDirectory(_dir.Combine("s", "keys"));
        await File.WriteAllTextAsync(_dir.Combine("s", "keys", "policy.json"),
            """{"default":[{"type":"reject"}],"transports":{"docker":{"registry.local":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/var/sigstore/keys/bob.pgp"}]}}}""");
        var missing = _dir.Combine("nowhere", "signers.json");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await CliApp.RunAsync(
            ["serve", "--data", _dir.Combine("d"), "--sigstore-root", _dir.Combine("s"), "--signers", missing, "--registry-listen", "127.0.0.1:0", "--sigstore-listen", "127.0.0.1:0"],
            stdout, stderr, CancellationToken.None);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith($"u7s: {missing} (Registry:Auth:Signers, u7s serve --signers) does not exist", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartupLine_WithEnforcement_NamesModePolicyAndScopeHost()
    {
        var policy = _dir.Combine("policy.json");
        await File.WriteAllTextAsync(policy, """{"default":[{"type":"insecureAcceptAnything"}]}""");
        var config = _dir.Combine("u7s.json");
        await File.WriteAllTextAsync(config, "{\"Registry\":{\"Enforce\":{\"Mode\":\"Enforce\",\"Policy\":\"" + policy + "\"},\"Auth\":{\"ScopeHost\":\"registry.local\"}}}");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var cts = new CancellationTokenSource();
        var run = CliApp.RunAsync(["serve", "--config", config, "--data", _dir.Combine("d"), "--sigstore-root", _dir.Combine("s"), "--registry-listen", "127.0.0.1:0", "--sigstore-listen", "127.0.0.1:0"], stdout, stderr, cts.Token);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!stdout.ToString().Contains("registry on", StringComparison.Ordinal) && DateTime.UtcNow < deadline && !run.IsCompleted)
        {
            await Task.Delay(50);
        }

        cts.Cancel();
        Assert.Equal(ExitCodes.Success, await run.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains($"; enforcement enforce under {policy}, images judged as registry.local/<repository> (Registry:Auth:ScopeHost)", stdout.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
