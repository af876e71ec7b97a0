using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Playwright;
using Supervision.Api.Tests.Cases;

namespace Supervision.Api.Tests.Browser;

/// <summary>
/// Cancelling a booking (decision R14) in the browser, each page compared with the API: the counter cancels on the case
/// page, the petitioner on the portal's 我的预约; after each the API shows the slot free.
/// </summary>
public sealed class ReceptionCancelBrowserTests
{
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_counter_and_the_petitioner_cancel_a_booking_and_the_slot_is_free_again()
    {
        await using var app = await CaseApp.StartAsync(Start, kestrel: true, speed: 60);
        await using var ui = await BrowserSession.StartAsync(app);
        var date = Legal.DateOf(app.Now).PlusDays(1).ToString("uuuu-MM-dd", CultureInfo.InvariantCulture);
        var day = await app.As("c-registrar").PostAsJsonAsync("/api/receptions",
            new { leaderId = "c-leader", date, place = "市信访局接待大厅", start = "09:00", slots = 2 }).OkAsync();
        var dayId = (string)day["id"]!;
        var registrar = app.As("ca-registrar");
        var (id, code) = await registrar.RegisterAsync(app.Now, unit: "ca-bureau", matter: "browser:reception-cancel");
        await registrar.PostAsJsonAsync($"/api/receptions/{dayId}/bookings", new { caseId = id, slot = 1 }).OkAsync();
        async Task<bool[]> TakenAsync() =>
            [.. (await app.Anonymous().GetAsync(new Uri("/api/portal/receptions", UriKind.Relative)).OkAsync())["items"]![0]!["slots"]!.AsArray().Select(x => (bool)x!["taken"]!)];

        // The case page lists the case's booking as the API does, and the registrar cancels it there.
        var listed = await registrar.GetAsync(new Uri($"/api/cases/{id}/receptions", UriKind.Relative)).OkAsync();
        var bookingId = (string)Assert.Single(listed["items"]!.AsArray())!["id"]!;
        var casePage = await ui.PageAsync("ca-registrar");
        await casePage.GotoAsync(ui.Url($"/app/case.html?id={id}"));
        await Assertions.Expect(casePage.Locator("#case-bookings li")).ToContainTextAsync($"{date} 09:00");
        await casePage.Locator($"button[data-booking='{bookingId}']").ClickAsync();
        await Assertions.Expect(casePage.Locator("#book-result")).ToContainTextAsync("已取消");
        await Assertions.Expect(casePage.Locator("#case-bookings")).ToHaveCountAsync(0);
        var free = await TakenAsync();
        Assert.Equal([false, false], free);

        // The petitioner books slot 2 and cancels it on the portal's 我的预约, phone-sized.
        await app.Petitioner(code).PostAsJsonAsync($"/api/portal/receptions/{dayId}/bookings", new { caseId = id, slot = 2 }).OkAsync();
        var portal = await ui.PageAsync(null, phone: true);
        await portal.GotoAsync(ui.Url("/portal/reception.html"));
        await portal.Locator("#case-id").FillAsync(id);
        await portal.Locator("#code").FillAsync(code);
        await portal.Locator("#mine").ClickAsync();
        await Assertions.Expect(portal.Locator("#my-bookings li")).ToContainTextAsync($"{date} 09:30");
        await portal.Locator($"button[data-cancel='{dayId}']").ClickAsync();
        await Assertions.Expect(portal.Locator("#my-bookings")).ToContainTextAsync("已取消");
        await Assertions.Expect(portal.Locator("#my-bookings")).ToContainTextAsync("暂无预约");
        await BrowserSession.CheckAsync(portal, "portal-reception-cancel");
        free = await TakenAsync();
        Assert.Equal([false, false], free);
        Assert.Empty((await app.Petitioner(code).GetAsync(new Uri($"/api/petitioner/cases/{id}/receptions", UriKind.Relative)).OkAsync())["items"]!.AsArray());
    }
}
