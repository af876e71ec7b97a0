using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Supervision.Api.Tests.Cases;
using Supervision.Testing;

namespace Supervision.Api.Tests.Browser;

/// <summary>
/// Headless Debian Chromium (/usr/bin/chromium; the test command installs it, never <c>playwright install</c>) against
/// the real app on Kestrel. Signs in by the demo cookie, saves screenshots to .artifacts/screenshots/ and runs axe.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly IPlaywright playwright;
    private readonly IBrowser browser;

    private BrowserSession(IPlaywright playwright, IBrowser browser, Uri address)
    {
        this.playwright = playwright;
        this.browser = browser;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>
    /// How long an expectation waits for the page to show what it asserts. Playwright's 5 s is too short for a role page's
    /// first content while the whole suite runs on two cores (a page that never shows it still fails, only later).
    /// </summary>
    public static readonly TimeSpan ExpectTimeout = TimeSpan.FromSeconds(15);

    public static async Task<BrowserSession> StartAsync(CaseApp app)
    {
        Assertions.SetDefaultExpectTimeout((float)ExpectTimeout.TotalMilliseconds);
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run the README's test command, which installs Debian's chromium.");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        });
        return new BrowserSession(playwright, browser, app.Address!);
    }

    /// <summary>A fresh browser context (desktop or phone-sized), signed in as <paramref name="personId"/> when given.</summary>
    public async Task<IPage> PageAsync(string? personId, bool phone = false)
    {
        var context = await browser.NewContextAsync(new()
        {
            ViewportSize = phone ? new() { Width = 390, Height = 844 } : new() { Width = 1280, Height = 900 },
            Locale = "zh-CN",
        });
        context.SetDefaultTimeout(20_000);
        if (personId is not null)
        {
            await SignInAsync(context, personId);
        }

        return await context.NewPageAsync();
    }

    public Task SignInAsync(IBrowserContext context, string personId) =>
        context.AddCookiesAsync([new Cookie { Name = "supervision-user", Value = personId, Url = Address.ToString() }]);

    public string Url(string path) => new Uri(Address, path).ToString();

    /// <summary>Saves a full-page screenshot and asserts axe finds no serious or critical violation.</summary>
    public static async Task CheckAsync(IPage page, string name)
    {
        var shots = Path.Combine(TestStorage.RepoRoot(), ".artifacts", "screenshots");
        Directory.CreateDirectory(shots);
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, name + ".png"), FullPage = true });
        var result = await page.RunAxe();
        var bad = result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Impact} {v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Take(3).Select(n => n.Html))})").ToList();
        Assert.True(bad.Count == 0, $"axe on {name}:\n{string.Join("\n", bad)}");
    }

    public async ValueTask DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
    }
}
