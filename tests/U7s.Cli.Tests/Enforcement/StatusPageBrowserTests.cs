using Microsoft.Playwright;
using U7s.Cli.Tests.Support;
using U7s.Registry.Access;

namespace U7s.Cli.Tests.Enforcement;

/// <summary>
/// The status page in a real browser: Debian's chromium, headless, driven by Playwright (its driver
/// ships in the NuGet package; the browser is the system's, nothing is downloaded). JavaScript is off,
/// as the page needs none. The screenshot goes to <c>artifacts/</c> at the repository root, which CI keeps.
/// </summary>
public sealed class StatusPageBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [RequiresToolFact("chromium")]
    public async Task Chromium_RendersImagesSignaturesAndVerdicts_WithoutScript_FiltersByForm()
    {
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Enforce, TimeSpan.FromSeconds(1));
        var (app, _) = await StatusPageTests.SeedAsync(server);
        await StatusPageTests.SeedHostileAsync(server);

        // An imagemaker with a Cyrillic name: user ids are UTF-8, shown and filtered as written.
        var ivan = EnforcedServer.NewKey("Иван Петров", "ivan@example.test");
        server.RegisterSigner("ivan", ivan.PublicKey);
        var cyrillic = await SmallImage.PushAsync(server.Admin, "open/cyr", "1");
        await server.SignInTreeAsync(ivan, "registry.local/open/cyr:1", cyrillic.Digest);
        await StatusPageTests.WaitForPageAsync(server, "evil@example.test");
        await StatusPageTests.WaitForPageAsync(server, "Иван Петров");

        using var profile = new TempDirectory("u7s-chromium");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright, profile);
        var page = await browser.NewPageAsync();
        var response = await page.GotoAsync(new Uri(server.RegistryUrl, "/ui/").ToString());
        Assert.Equal(200, response!.Status);

        Assert.Equal("Images and signatures", await page.InnerTextAsync("h1"));
        var rows = page.Locator("#images tbody tr");
        Assert.Equal(4, await rows.CountAsync());
        var appRow = rows.Filter(new LocatorFilterOptions { HasText = app.Digest.ToString()[..19] });
        Assert.Equal(app.Digest.ToString(), await appRow.Locator("code.digest").GetAttributeAsync("title"));
        Assert.Equal("app", await appRow.Locator("td").Nth(0).InnerTextAsync());
        Assert.StartsWith("accepted (scope registry.local)", await appRow.Locator("td.verdict").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains($"U7s Sample Signer (THROWAWAY) <signer@example.test> [{SampleKeys.SignerFingerprint}]", await appRow.Locator("li.valid").InnerTextAsync(), StringComparison.Ordinal);
        var toolRow = rows.Filter(new LocatorFilterOptions { HasText = "A signature was required" });
        Assert.Equal("tool", await toolRow.Locator("td").Nth(0).InnerTextAsync());

        // The hostile user id is text on the page; nothing of it became an element.
        var hostile = await rows.Filter(new LocatorFilterOptions { HasText = "hostile" }).Locator("li").InnerTextAsync();
        Assert.Contains(StatusPageTests.HostileName, hostile, StringComparison.Ordinal);
        var cyrillicRow = rows.Filter(new LocatorFilterOptions { HasText = cyrillic.Digest.ToString()[..19] });
        Assert.Contains($"signature-1 by Иван Петров <ivan@example.test> [{ivan.Fingerprint}] for registry.local/open/cyr:1: valid", await cyrillicRow.Locator("li.valid").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("script").CountAsync());
        Assert.Equal(0, await page.Locator("img").CountAsync());
        Assert.True(await page.Locator("#events tbody tr").CountAsync() >= 3);

        var screenshot = Path.Combine(ArtifactsDirectory(), "status-page.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 10_000);

        // The filter form works without script: a plain GET with the query.
        await page.FillAsync("input[name=repository]", "too");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/ui/?repository=too&signer=");
        Assert.Equal(1, await page.Locator("#images tbody tr").CountAsync());
        Assert.Equal("tool", await page.Locator("#images tbody tr td").First.InnerTextAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsDirectory(), "status-page-filtered.png"), FullPage = true });

        // The signer filter takes the name as typed, in any script.
        await page.FillAsync("input[name=repository]", string.Empty);
        await page.FillAsync("input[name=signer]", "иван");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => url.Contains("signer=%D0%B8", StringComparison.Ordinal));
        Assert.Equal(1, await page.Locator("#images tbody tr").CountAsync());
        Assert.Equal("open/cyr", await page.Locator("#images tbody tr td").First.InnerTextAsync());
    }

    [RequiresToolFact("chromium")]
    public async Task Chromium_TwelveAcceptedTwoRefused_SummaryFirst_RefusedOnTop_ShortDigests_SignerOncePerRow()
    {
        await using var server = await EnforcedServer.StartAsync(EnforceMode.Enforce, TimeSpan.FromSeconds(1));
        var images = new List<SmallImage>();
        for (var i = 1; i <= 12; i++)
        {
            var image = await SmallImage.PushAsync(server.Admin, $"k8s-c10f1/image{i:00}", "v1");
            await server.SignInTreeAsync($"k8s-c10f1/image{i:00}", "v1", image.Digest);
            images.Add(image);
        }

        // One image signed twice by the same key: the signer is named once for the row.
        await server.SignInTreeAsync("k8s-c10f1/image01", "v1", images[0].Digest);
        await SmallImage.PushAsync(server.Admin, "tools/unsigned-a", "1");
        await SmallImage.PushAsync(server.Admin, "tools/unsigned-b", "1");
        await StatusPageTests.WaitForPageAsync(server, "signature-2: valid");

        using var profile = new TempDirectory("u7s-chromium");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright, profile);
        var page = await browser.NewPageAsync();
        Assert.Equal(200, (await page.GotoAsync(new Uri(server.RegistryUrl, "/ui/").ToString()))!.Status);

        Assert.Equal("14 image(s): 12 accepted, 2 refused", await page.InnerTextAsync("#summary"));
        // The summary: policy file, version and uptime, the data root's disk, the trusted key with its scope.
        var facts = await page.Locator("#facts li").AllInnerTextsAsync();
        Assert.Equal($"policy file: {server.PolicyPath}", facts[0]);
        Assert.Matches(@"^u7s \d+\.\d+\.\d+\S*, up \d+(m|h|d) \d+(s|m|h) \(since \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\)$", facts[1]);
        Assert.Matches(@"^data root /\S+: [\d.]+ \S+ used, [\d.]+ \S+ free of [\d.]+ \S+$", facts[2]);
        var key = page.Locator("#keys tbody tr");
        Assert.Equal(1, await key.CountAsync());
        Assert.Equal(["U7s Sample Signer (THROWAWAY) <signer@example.test>", SampleKeys.SignerFingerprint, "registry.local"], await key.Locator("td").AllInnerTextsAsync());
        var rows = page.Locator("#images tbody tr");
        Assert.Equal(14, await rows.CountAsync());
        Assert.Equal("tools/unsigned-a", await rows.Nth(0).Locator("td").First.InnerTextAsync());
        Assert.Equal("tools/unsigned-b", await rows.Nth(1).Locator("td").First.InnerTextAsync());
        Assert.Equal("k8s-c10f1/image01", await rows.Nth(2).Locator("td").First.InnerTextAsync());
        Assert.Equal("k8s-c10f1/image12", await rows.Nth(13).Locator("td").First.InnerTextAsync());
        Assert.Equal(images[0].Digest.ToString()[..19], await rows.Nth(2).Locator("code.digest").InnerTextAsync());
        Assert.Equal(images[0].Digest.ToString(), await rows.Nth(2).Locator("code.digest").GetAttributeAsync("title"));
        Assert.StartsWith($"by U7s Sample Signer (THROWAWAY) <signer@example.test> [{SampleKeys.SignerFingerprint}] for registry.local/k8s-c10f1/image01:v1", await rows.Nth(2).Locator("div.signer").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(["signature-1: valid", "signature-2: valid"], await rows.Nth(2).Locator("li").AllInnerTextsAsync());

        // Recent changes: manifests one by one, the blob uploads in one summary row.
        Assert.Equal(1, await page.Locator("#events tr.blobs").CountAsync());
        Assert.Contains("blob upload(s)", await page.InnerTextAsync("#events tr.blobs"), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#events td", new PageLocatorOptions { HasTextString = "blob.push" }).CountAsync());
        Assert.True(await page.Locator("#events td", new PageLocatorOptions { HasTextString = "manifest.push" }).CountAsync() >= 14);

        var screenshot = Path.Combine(ArtifactsDirectory(), "status-page-12-accepted-2-refused.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 10_000);
    }

    /// <summary><c>artifacts/</c> beside <c>U7s.sln</c> (gitignored; CI keeps it), or the temp directory outside a checkout.</summary>
    private static string ArtifactsDirectory() =>
        Directory.CreateDirectory(TestRepository.RootOrNull() is { } root ? Path.Combine(root, "artifacts") : Path.Combine(Path.GetTempPath(), "u7s-artifacts")).FullName;

    /// <summary>Debian's chromium, headless and without scripts, as an admin's browser sees the page (no download: its own executable).</summary>
    private static async Task<IBrowserContext> LaunchAsync(IPlaywright playwright, TempDirectory profile)
    {
        var browser = await playwright.Chromium.LaunchPersistentContextAsync(profile.Path, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            JavaScriptEnabled = false,
            ViewportSize = new ViewportSize { Width = 1600, Height = 900 },
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });

        // On a loaded 2-core machine a filtered page can take longer than the 30 s Playwright allows by default.
        browser.SetDefaultTimeout(90_000);
        return browser;
    }
}
