using Microsoft.Playwright;
using Supervision.Api.Tests.Cases;
using Supervision.Testing;

namespace Supervision.Api.Tests.Browser;

/// <summary>
/// The UI in headless Chromium (Debian's /usr/bin/chromium; the test command installs it) against the real app on
/// Kestrel and Azurite: a handling officer watches a case's light change as the accelerated clock passes its thresholds.
/// </summary>
public sealed class CaseBoardBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_case_moves_from_green_to_red_on_the_board_as_the_clock_passes_its_deadline()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run the README's test command, which installs Debian's chromium.");
        // Three legal days per real second: the 60-day handling clock stays green for about 15 s after acceptance.
        await using var app = await CaseApp.StartAsync(Start, kestrel: true, demo: true, speed: 3 * 86_400);
        var registrar = app.As("c-registrar");
        var (id, _) = await registrar.RegisterAsync(app.Now, matter: "browser:elevator");
        await registrar.Command(id, "route", new { kind = "Forward", agencyId = "c-housing" }).OkAsync();
        var accepted = await app.As("c-housing-officer").Command(id, "accept").OkAsync();
        var due = DateTimeOffset.Parse((string)accepted.Clock("handling")["dueInstant"]!, System.Globalization.CultureInfo.InvariantCulture);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        });
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        await context.AddCookiesAsync([new Cookie { Name = "supervision-user", Value = "c-housing-officer", Url = app.Address!.ToString() }]);
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(app.Address, "/app/").ToString());

        var row = page.Locator($"tr[data-id='{id}']");
        await Assertions.Expect(row).ToHaveAttributeAsync("data-light", "Green", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#user")).ToHaveValueAsync("c-housing-officer");

        // Five working days before the deadline the light turns yellow; the board picks it up on its next refresh.
        await app.UntilAsync(due - TimeSpan.FromDays(5));
        await Assertions.Expect(row).Not.ToHaveAttributeAsync("data-light", "Green", new() { Timeout = 15_000 });

        await app.UntilAsync(due + TimeSpan.FromHours(1));
        await Assertions.Expect(row).ToHaveAttributeAsync("data-light", "Red", new() { Timeout = 15_000 });

        // The detail shows the handling clock red with its explanation, and the overdue in the timeline.
        await row.ClickAsync();
        await Assertions.Expect(page.Locator("[data-clock='handling']")).ToHaveAttributeAsync("data-light", "Red", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#d-timeline")).ToContainTextAsync("ClockOverdue");
        await Assertions.Expect(page.Locator("#mail")).ToContainTextAsync(id);

        var shots = Path.Combine(TestStorage.RepoRoot(), ".artifacts", "screenshots");
        Directory.CreateDirectory(shots);
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "case-board-red.png"), FullPage = true });
    }
}
