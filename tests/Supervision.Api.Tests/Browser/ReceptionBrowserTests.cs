using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Playwright;
using Supervision.Api.Tests.Cases;

namespace Supervision.Api.Tests.Browser;

/// <summary>
/// 约访 and 包案 in the browser, each page compared with the API: the petitioner books a slot on the phone-sized portal
/// page, the leader's page lists the day as the API does (the booked case, the free slots), the leader takes the case
/// there (包案), and the case page names the owning leader.
/// </summary>
public sealed class ReceptionBrowserTests
{
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_petitioner_books_on_the_portal_the_leader_sees_it_and_takes_the_case()
    {
        // One legal minute per real second: the day does not change during the test.
        await using var app = await CaseApp.StartAsync(Start, kestrel: true, speed: 60);
        await using var ui = await BrowserSession.StartAsync(app);
        var date = Legal.DateOf(app.Now).PlusDays(1).ToString("uuuu-MM-dd", CultureInfo.InvariantCulture);
        var day = await app.As("c-registrar").PostAsJsonAsync("/api/receptions",
            new { leaderId = "c-leader", date, place = "市信访局接待大厅", start = "09:00", slots = 3 }).OkAsync();
        var dayId = (string)day["id"]!;
        var (id, code) = await app.As("ca-registrar").RegisterAsync(app.Now, unit: "ca-bureau", matter: "browser:reception");

        // The portal, phone-sized: choose the day, the second slot, and book with the case number and query code.
        var portal = await ui.PageAsync(null, phone: true);
        await portal.GotoAsync(ui.Url("/portal/reception.html"));
        await portal.Locator($"button[data-day='{dayId}']").ClickAsync();
        await portal.Locator("input[name='slot'][value='2']").CheckAsync();
        await portal.Locator("#case-id").FillAsync(id);
        await portal.Locator("#code").FillAsync(code);
        await portal.GetByRole(AriaRole.Button, new() { Name = "预约", Exact = true }).ClickAsync();
        await Assertions.Expect(portal.Locator("#booked")).ToContainTextAsync($"{date} 09:30");
        await Assertions.Expect(portal.Locator("#booked")).ToContainTextAsync("市信访局接待大厅");
        await BrowserSession.CheckAsync(portal, "portal-reception");

        // The API agrees: slot 2 holds the case; the page's free slots are the API's.
        var api = await app.As("c-leader").GetAsync(new Uri($"/api/receptions?date={date}", UriKind.Relative)).OkAsync();
        var slots = api["items"]![0]!["slots"]!.AsArray();
        Assert.Equal(id, (string)slots[1]!["booking"]!["caseId"]!);

        // The leader's page lists the day exactly as the API does, and the leader takes the case there.
        var leader = await ui.PageAsync("c-leader");
        await leader.GotoAsync(ui.Url("/app/leader.html"));
        var rows = leader.Locator($"[data-day='{dayId}'] tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(slots.Count);
        for (var i = 0; i < slots.Count; i++)
        {
            var row = leader.Locator($"[data-day='{dayId}'] tr[data-slot='{i + 1}']");
            await Assertions.Expect(row).ToContainTextAsync((string)slots[i]!["time"]!);
            await Assertions.Expect(row).ToContainTextAsync(slots[i]!["booking"] is { } b ? (string)b["caseId"]! : "空闲");
        }

        await leader.Locator($"button[data-own='{id}']").ClickAsync();
        await Assertions.Expect(leader.Locator("#owned")).ToContainTextAsync(id);
        var detail = await app.As("c-leader").GetAsync(new Uri($"/api/cases/{id}", UriKind.Relative)).OkAsync();
        Assert.Equal(($"{dayId}#2", "郑国栋"), ((string)detail["owner"]!["receptionId"]!, (string)detail["owner"]!["name"]!));
        await Assertions.Expect(leader.Locator($"[data-day='{dayId}'] tr[data-slot='2']")).ToContainTextAsync("已由郑国栋包案");
        await BrowserSession.CheckAsync(leader, "leader-reception");

        // The case page names the owning leader as the API does.
        var casePage = await ui.PageAsync("ca-registrar");
        await casePage.GotoAsync(ui.Url($"/app/case.html?id={id}"));
        await Assertions.Expect(casePage.Locator("#facts")).ToContainTextAsync($"郑国栋（{(string)detail["owner"]!["unit"]!["name"]!}，{(string)detail["owner"]!["since"]!} 起）");

        // The counter: the registrar's booking form offers the free slots the public list has, and shows the server's
        // refusal (this case already has a slot that day).
        var free = (await app.Anonymous().GetAsync(new Uri("/api/portal/receptions", UriKind.Relative)).OkAsync())["items"]![0]!["slots"]!.AsArray().Count(x => !(bool)x!["taken"]!);
        await Assertions.Expect(casePage.Locator("#book-form select[name='slot'] option")).ToHaveCountAsync(free);
        await casePage.Locator("#book-form button[type='submit']").ClickAsync();
        await Assertions.Expect(casePage.Locator("#book-result")).ToContainTextAsync("one booking per case");
    }
}
