using System.Globalization;
using Microsoft.Playwright;
using Supervision.Api.Tests.Cases;
using Supervision.Api.Tests.Oversight;

namespace Supervision.Api.Tests.Browser;

/// <summary>
/// 积案化解 in the browser (decision B1): the leader page lists the campaign with the 化解率 the API gives; the unit head
/// sees only its own backlog case on the campaign page (never the accusation against the unit), records 化解 there, and
/// the page and the API then agree on the result and the rate.
/// </summary>
public sealed class CampaignBrowserTests
{
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_leader_page_and_the_campaign_page_show_what_the_api_says_and_a_result_recorded_on_the_page_counts()
    {
        await using var app = await CaseApp.StartAsync(Start, kestrel: true);
        var registrar = app.As("c-registrar");
        var supervisor = app.As("c-supervisor");
        var (late, _) = await registrar.RegisterAsync(app.Now, matter: "browser:backlog");
        var (accusation, _) = await registrar.RegisterAsync(app.Now, matter: "browser:accusation", category: "Accusation", accusedUnit: "c-housing", petitioner: "李四");
        await app.AdvanceAsync(TimeSpan.FromDays(20));
        foreach (var id0 in new[] { late, accusation })
        {
            await app.CaseWhenAsync("c-registrar", id0, d => d["timeline"]!.AsArray().Any(e => (string)e!["type"]! == "ClockOverdue"), "the routing clock's 超期 record");
        }

        var target = Legal.DateOf(app.Now).PlusDays(60).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var id = (string)(await supervisor.PostJsonAsync("/api/campaigns", new { name = "积案化解专项工作", leaderId = "c-leader", targetDate = target }).OkAsync())["id"]!;
        await supervisor.PostJsonAsync($"/api/campaigns/{id}/add-case", new { caseId = late, leaderId = "c-leader", unitId = "c-housing" }).OkAsync();
        await supervisor.PostJsonAsync($"/api/campaigns/{id}/add-case", new { caseId = accusation, leaderId = "c-leader", unitId = "c-cdi" }).OkAsync();

        await using var ui = await BrowserSession.StartAsync(app);
        var leader = await ui.PageAsync("c-leader");
        await leader.GotoAsync(ui.Url("/app/leader.html"));
        var listed = (await CaseApp.EventuallyAsync(async () =>
            (await app.As("c-leader").GetJsonAsync("/api/campaigns")).AsArray().FirstOrDefault(c => (string)c!["id"]! == id && (int)c["total"]! == 2), "the campaign's row"))!;
        var row = leader.Locator($"#campaigns tr[data-campaign='{id}']");
        await leader.ReloadAsync();
        await Assertions.Expect(row).ToContainTextAsync($"{listed["name"]}{listed["leader"]!["name"]}{listed["targetDate"]}{listed["statusName"]}2000%");

        // The housing bureau's head: its own case only, and 化解 recorded on the page.
        var head = await ui.PageAsync("c-housing-head");
        await head.GotoAsync(ui.Url($"/app/campaign.html?id={id}"));
        await Assertions.Expect(head.Locator("#entries tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(head.Locator($"#entries tr[data-case='{late}']")).ToContainTextAsync("待化解");
        Assert.DoesNotContain(accusation, await head.ContentAsync(), StringComparison.Ordinal);
        var form = head.Locator($"form[data-result-for='{late}']");
        await form.GetByLabel($"信访事项 {late} 的化解说明或未化解原因").FillAsync("电梯已修复，信访人表示满意");
        await form.GetByRole(AriaRole.Button, new() { Name = "记录" }).ClickAsync();
        await Assertions.Expect(head.Locator($"#entries tr[data-case='{late}']")).ToHaveAttributeAsync("data-result", "Resolved");
        await Assertions.Expect(head.Locator("#rate")).ToHaveAttributeAsync("data-rate", "1"); // its one visible case
        await BrowserSession.CheckAsync(head, "campaign");

        var all = await supervisor.GetJsonAsync($"/api/campaigns/{id}");
        Assert.Equal((2, 1, 0.5), ((int)all["total"]!, (int)all["resolved"]!, (double)all["rate"]!));
        Assert.Equal("电梯已修复，信访人表示满意", (string)all["entries"]!.AsArray().Single(e => (string)e!["caseId"]! == late)!["reason"]!);
        var overseer = await ui.PageAsync("c-supervisor");
        await overseer.GotoAsync(ui.Url($"/app/campaign.html?id={id}"));
        await Assertions.Expect(overseer.Locator("#rate")).ToHaveAttributeAsync("data-rate", "0.5");
        await Assertions.Expect(overseer.Locator("#entries tbody tr")).ToHaveCountAsync(2);
    }
}
