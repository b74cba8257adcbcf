using System.Net;
using System.Text.Json;
using U7s.Cli.Tests.Commands;
using U7s.Cli.Tests.Support;
using U7s.Oci;
using U7s.Registry.Access;
using U7s.Sigstore.OpenPgp;
using U7s.Sigstore.Signing;
using U7s.Sigstore.Store;

namespace U7s.Cli.Tests.Enforcement;

/// <summary>
/// The status page (<c>/ui/</c>, <c>/ui/status.json</c>) and <c>u7s status</c> on the real server: images,
/// signatures with signer and verdict, filters, the audit trail, pull access rules, and hostile names
/// shown as text.
/// </summary>
public sealed class StatusPageTests
{
    /// <summary>A signer user id that would run script if it were written into the page unencoded.</summary>
    internal const string HostileName = "<script>alert(1)</script><img src=x onerror=alert(2)>";

    [Fact]
    public async Task Page_ListsImagesSignersAndVerdicts_FiltersByRepositoryAndSigner_ShowsAuditWithoutAddresses()
    {
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Enforce, TimeSpan.FromHours(1));
        var (app, _) = await SeedAsync(server);

        var html = await GetPageAsync(server.Anonymous, "/ui/");
        Assert.Contains("<td>app</td><td>1</td>", html, StringComparison.Ordinal);
        Assert.Contains(app.Digest.ToString(), html, StringComparison.Ordinal);
        Assert.Contains("accepted (scope registry.local)", html, StringComparison.Ordinal);
        Assert.Contains($"signature-1 by U7s Sample Signer (THROWAWAY) &lt;signer@example.test&gt; [{SampleKeys.SignerFingerprint}] for registry.local/app:1: valid", html, StringComparison.Ordinal);
        Assert.Contains("<td>tool</td><td>1</td>", html, StringComparison.Ordinal);
        Assert.Contains("refused (scope registry.local): A signature was required, but no signature exists", html, StringComparison.Ordinal);
        Assert.Contains("manifest.push", html, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);

        var byRepository = Images(await GetPageAsync(server.Anonymous, "/ui/?repository=too"));
        Assert.Contains("<td>tool</td>", byRepository, StringComparison.Ordinal);
        Assert.DoesNotContain("<td>app</td>", byRepository, StringComparison.Ordinal);

        var bySigner = Images(await GetPageAsync(server.Anonymous, "/ui/?signer=signer%40example.test"));
        Assert.Contains("<td>app</td>", bySigner, StringComparison.Ordinal);
        Assert.DoesNotContain("<td>tool</td>", bySigner, StringComparison.Ordinal);

        var byFingerprint = Images(await GetPageAsync(server.Anonymous, "/ui/?signer=" + SampleKeys.SignerFingerprint[..16].ToLowerInvariant()));
        Assert.Contains("<td>app</td>", byFingerprint, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(await server.Anonymous.GetStringAsync("/ui/status.json?repository=app"));
        var image = Assert.Single(json.RootElement.GetProperty("images").EnumerateArray());
        Assert.Equal(app.Digest.ToString(), image.GetProperty("digest").GetString());
        Assert.True(image.GetProperty("allowed").GetBoolean());
        Assert.Equal(SampleKeys.SignerFingerprint, image.GetProperty("signatures")[0].GetProperty("fingerprint").GetString());
        Assert.True(image.GetProperty("size").GetInt64() > app.Layer.Length);
        Assert.All(json.RootElement.GetProperty("recentEvents").EnumerateArray(), e => Assert.False(e.TryGetProperty("remote", out _)));
    }

    /// <summary>
    /// The page reuses its list: a push through this process shows at once, a signature written into
    /// the tree by another process within twice RecheckAfter (the list is kept that long, and the
    /// verdicts it was built from may be as old), whatever was cached before.
    /// </summary>
    [Fact]
    public async Task Page_ListIsReused_YetShowsAPushAtOnceAndATreeSignatureWithinTheBound()
    {
        var bound = TimeSpan.FromSeconds(1);
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Off, bound);
        await SmallImage.PushAsync(server.Admin, "app", "1");
        Assert.Single(await ImagesAsync(server));

        var tool = await SmallImage.PushAsync(server.Admin, "tool", "1");
        var afterPush = await ImagesAsync(server);
        await server.SignInTreeAsync("tool", "1", tool.Digest);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var signatures = 0;
        while (signatures == 0 && watch.Elapsed < (2 * bound) + TimeSpan.FromSeconds(4))
        {
            await Task.Delay(50);
            signatures = (await ImagesAsync(server)).Single(i => i.GetProperty("repository").GetString() == "tool").GetProperty("signatures").GetArrayLength();
        }

        Assert.Equal(["app", "tool"], afterPush.Select(i => i.GetProperty("repository").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(1, signatures);
        // The slack is for a loaded two-core machine; without the recheck the signature never shows.
        Assert.True(watch.Elapsed <= (2 * bound) + TimeSpan.FromSeconds(2), $"seen after {watch.Elapsed}");
    }

    private static async Task<List<JsonElement>> ImagesAsync(EnforcedServer server)
    {
        using var json = JsonDocument.Parse(await server.Anonymous.GetStringAsync("/ui/status.json"));
        return json.RootElement.GetProperty("images").EnumerateArray().Select(e => e.Clone()).ToList();
    }

    [Fact]
    public async Task Page_HostileSignerUserId_ShownAsTextNeverAsMarkup()
    {
        // The key is published after the start: it is read within RecheckAfter.
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Off, TimeSpan.FromSeconds(1));
        await SeedHostileAsync(server);
        var html = await WaitForPageAsync(server, "evil@example.test");
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);

        // A filter value is echoed into the form, encoded too.
        var echoed = await GetPageAsync(server.Anonymous, "/ui/?signer=%22%3E%3Cscript%3E");
        Assert.Contains("value=\"&quot;&gt;&lt;script&gt;\"", echoed, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", echoed, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// With pulls behind a login, so are the status page (it names who pushed) and <c>/metrics</c>, under
    /// every spelling of their paths; only the health checks (<c>/healthz</c>, <c>/readyz</c>, <c>/livez</c>) stay open, for haproxy's checks.
    /// </summary>
    [Fact]
    public async Task Page_PullsNeedALogin_SoDoThePageAndMetrics()
    {
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Off, TimeSpan.FromHours(1), anonymousPull: false);
        await SeedAsync(server);
        using var anonymous = await server.Anonymous.GetAsync("/ui/");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.StartsWith("Basic realm=", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        foreach (var path in new[] { "/ui/status.json", "/UI/status.json", "/ui/status.json/", "/ui//status.json", "/ui/./status.json", "/ui/status.json?repository=app", "/metrics", "/METRICS", "/metrics/" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            using var response = await server.Anonymous.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
            Assert.DoesNotContain("admin", body, StringComparison.Ordinal);
            Assert.DoesNotContain("u7s_registry", body, StringComparison.Ordinal);
        }

        using (var metrics = await server.Anonymous.GetAsync("/metrics"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, metrics.StatusCode);
        }

        foreach (var path in new[] { "/healthz", "/readyz", "/livez" })
        {
            using var health = await server.Anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal("ok\n", await health.Content.ReadAsStringAsync());
        }

        Assert.Contains("u7s_registry_requests_total", await server.Admin.GetStringAsync("/metrics"), StringComparison.Ordinal);
        Assert.Contains("\"user\":\"admin\"", await server.Admin.GetStringAsync("/ui/status.json"), StringComparison.Ordinal);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/ui/");
        wrong.Headers.Authorization = EnforcedServer.Basic("admin", "wrong");
        using var wrongAnswer = await server.Anonymous.SendAsync(wrong);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongAnswer.StatusCode);
        using var loggedIn = await server.Admin.GetAsync("/ui/");
        Assert.Equal(HttpStatusCode.OK, loggedIn.StatusCode);
    }

    [Fact]
    public async Task StatusVerb_FromTheRunningRegistryAndFromTheStore_PrintsTheSameRows()
    {
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Enforce, TimeSpan.FromHours(1), anonymousPull: false);
        var (app, tool) = await SeedAsync(server);
        var password = server.Dir.Combine("password");
        await File.WriteAllTextAsync(password, EnforcedServer.Password + "\n");

        var remote = await CliAsync("status", "--registry-url", server.RegistryUrl.ToString(), "--user", "admin", "--password-file", password);
        // tool:1 is refused: exit 4, as verify's, for scripts and monitoring.
        Assert.Equal(ExitCodes.Refused, remote.ExitCode);
        var dataRoot = Directory.GetDirectories(server.Dir.Path, "data-*").Single();
        var local = await CliAsync("status", "--data", dataRoot, "--sigstore-root", server.SigstoreRoot, "--policy", server.PolicyPath);
        Assert.Equal(ExitCodes.Refused, local.ExitCode);
        foreach (var output in new[] { remote.Output, local.Output })
        {
            var lines = output.Split('\n');
            Assert.Equal("REPOSITORY\tTAG\tDIGEST\tSIZE\tPUSHED\tPOLICY\tSIGNATURES", lines[0]);
            Assert.StartsWith("tool\t1\t", lines[1], StringComparison.Ordinal); // refused first
            Assert.Contains("# 2 image(s): 1 accepted, 1 refused; enforcement", output, StringComparison.Ordinal);
            // The summary as the page has it: the policy file, the program, the disk, the trusted key and its scope.
            Assert.Contains($"\n# policy file: {server.PolicyPath}\n# u7s ", output, StringComparison.Ordinal);
            Assert.Matches(@"\n# data root /\S+: [\d.]+ \S+ used, ", output);
            Assert.Contains($"\n# trusted key U7s Sample Signer (THROWAWAY) <signer@example.test> [{SampleKeys.SignerFingerprint}]: registry.local\n", output, StringComparison.Ordinal);
            Assert.Contains("\tmanifest.push\t", output, StringComparison.Ordinal);
            var appLine = Assert.Single(lines, l => l.StartsWith($"app\t1\t{app.Digest}\t", StringComparison.Ordinal));
            Assert.Contains("\taccepted (scope registry.local)\tsignature-1 by U7s Sample Signer", appLine, StringComparison.Ordinal);
            var toolLine = Assert.Single(lines, l => l.StartsWith($"tool\t1\t{tool.Digest}\t", StringComparison.Ordinal));
            Assert.EndsWith("A signature was required, but no signature exists\tnone", toolLine, StringComparison.Ordinal);
        }

        var quiet = await CliAsync("status", "--data", dataRoot, "--sigstore-root", server.SigstoreRoot, "--policy", server.PolicyPath, "--no-events");
        Assert.DoesNotContain("\tmanifest.push\t", quiet.Output, StringComparison.Ordinal);
        Assert.Contains("\ntool\t1", quiet.Output, StringComparison.Ordinal);

        var filtered = await CliAsync("status", "--data", dataRoot, "--sigstore-root", server.SigstoreRoot, "--policy", server.PolicyPath, "--signer", "signer@example");
        Assert.Equal(ExitCodes.Success, filtered.ExitCode);
        Assert.DoesNotContain("\ntool\t1", filtered.Output, StringComparison.Ordinal);
        Assert.Contains("\napp\t1", filtered.Output, StringComparison.Ordinal);

        var anonymous = await CliAsync("status", "--registry-url", server.RegistryUrl.ToString());
        Assert.Equal(ExitCodes.Refused, anonymous.ExitCode);
        Assert.Contains("needs a login", anonymous.Error, StringComparison.Ordinal);
        var both = await CliAsync("status", "--registry-url", server.RegistryUrl.ToString(), "--data", dataRoot);
        Assert.Equal(ExitCodes.Usage, both.ExitCode);
    }

    [Fact]
    public async Task StatusVerb_PolicyFromTheFlagOthersCanChange_ErrorNamesTheFlag()
    {
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Enforce, TimeSpan.FromHours(1));
        var dataRoot = Directory.GetDirectories(server.Dir.Path, "data-*").Single();
        var shared = Directory.CreateDirectory(server.Dir.Combine("group-writable")).FullName;
        File.SetUnixFileMode(shared, (UnixFileMode)0x1FD); // 0775
        var policy = Path.Join(shared, "policy.json");
        File.Copy(server.PolicyPath, policy);

        var status = await CliAsync("status", "--data", dataRoot, "--sigstore-root", server.SigstoreRoot, "--policy", policy);

        Assert.NotEqual(0, status.ExitCode);
        Assert.StartsWith("u7s: --policy", status.Error, StringComparison.Ordinal);
        Assert.Contains("group- or world-writable", status.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Registry:Enforce:Policy", status.Error, StringComparison.Ordinal);
    }

    /// <summary>app:1 signed by the sample signer, tool:1 unsigned.</summary>
    internal static async Task<(SmallImage App, SmallImage Tool)> SeedAsync(EnforcedServer server)
    {
        var app = await SmallImage.PushAsync(server.Admin, "app", "1");
        var tool = await SmallImage.PushAsync(server.Admin, "tool", "1");
        await server.SignInTreeAsync("app", "1", app.Digest);
        return (app, tool);
    }

    /// <summary>hostile:1 signed by an imagemaker whose key (registered in the authorization file) has the user id <see cref="HostileName"/>.</summary>
    internal static async Task SeedHostileAsync(EnforcedServer server)
    {
        var image = await SmallImage.PushAsync(server.Admin, "hostile", "1");
        var key = EnforcedServer.NewKey(HostileName, "evil@example.test");
        server.RegisterSigner("evil", key.PublicKey);
        await server.SignInTreeAsync(key, "registry.local/hostile:1", image.Digest);
    }

    /// <summary>Loads the page until it shows <paramref name="text"/> (a key published after the start is read within RecheckAfter).</summary>
    internal static async Task<string> WaitForPageAsync(EnforcedServer server, string text)
    {
        var html = await GetPageAsync(server.Anonymous, "/ui/");
        for (var i = 0; i < 50 && !html.Contains(text, StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
            html = await GetPageAsync(server.Anonymous, "/ui/");
        }

        return html;
    }

    /// <summary>The images table only (the audit table below names repositories too).</summary>
    private static string Images(string html) => html[..html.IndexOf("<h2>Recent changes</h2>", StringComparison.Ordinal)];

    private static async Task<CliResult> CliAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr, CancellationToken.None);
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }

    private static async Task<string> GetPageAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        return await response.Content.ReadAsStringAsync();
    }
}
