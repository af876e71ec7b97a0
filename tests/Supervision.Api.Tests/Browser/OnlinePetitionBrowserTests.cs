using Microsoft.Playwright;
using Supervision.Api.Tests.Cases;

namespace Supervision.Api.Tests.Browser;

/// <summary>
/// The online petition form (网上信访) in headless Chromium at a phone's size: a wrong identity number is shown beside its
/// field, a good petition is registered and the page shows the case number, the query code and the route-by date exactly
/// as the API has them for that case; a refused file is reported without losing the case; the registrar's queue shows the
/// case as 网上信访. axe-clean and CSP-clean at every step.
/// </summary>
public sealed class OnlinePetitionBrowserTests
{
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_petitioner_submits_on_a_phone_and_the_page_shows_what_the_api_recorded()
    {
        await using var app = await CaseApp.StartAsync(Start, kestrel: true, speed: 60, settings: new Dictionary<string, string>
        {
            ["Supervision:Portal:ProofOfWorkBits"] = "10", // solved in JavaScript by the page, as at the default 16 bits
        });
        await using var ui = await BrowserSession.StartAsync(app);
        var page = await ui.PageAsync(null, phone: true);
        var violations = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error" && m.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add(m.Text);
            }
        };
        await page.GotoAsync(ui.Url("/portal/"));
        await page.GetByRole(AriaRole.Link, new() { Name = "网上提交信访事项" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "网上提交信访事项" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#f-bureau option[value='c-bureau']")).ToHaveCountAsync(1);
        await BrowserSession.CheckAsync(page, "portal-petition");

        var idNumber = OnlinePetitionScenarios.IdNumber("19880808");
        var wrongId = idNumber[..17] + (idNumber[17] == '1' ? '2' : '1');
        await page.GetByLabel("向哪个信访部门反映").SelectOptionAsync("c-bureau");
        await page.GetByLabel("姓名").FillAsync("赵六<b>");
        await page.GetByLabel("公民身份号码").FillAsync(wrongId);
        await page.GetByLabel("联系电话").FillAsync("13700000000");
        await page.GetByLabel("通信地址").FillAsync("临川市幸福路8号");
        await page.GetByLabel("反映的问题和诉求").FillAsync("小区路灯损坏三个月无人维修 <img src=x>");
        await page.GetByLabel("问题简称").FillAsync("幸福小区路灯");
        await page.GetByLabel("事项类型").SelectOptionAsync("Complaint");
        await page.GetByRole(AriaRole.Button, new() { Name = "提交信访事项" }).ClickAsync();

        // The wrong check digit: named beside the field, nothing registered.
        await Assertions.Expect(page.Locator("#error-summary")).ToContainTextAsync("公民身份号码不正确");
        await Assertions.Expect(page.GetByLabel("公民身份号码")).ToHaveAttributeAsync("aria-invalid", "true");
        await BrowserSession.CheckAsync(page, "portal-petition-error");
        Assert.Equal(0, (int)(await app.As("c-registrar").GetAsync(new Uri("/api/cases?unit=c-bureau", UriKind.Relative)).OkAsync())["total"]!);

        // Corrected, with two files: a PDF and a program named like one (refused by sniffing, the case stays).
        await page.GetByLabel("公民身份号码").FillAsync(idNumber);
        var pdf = new byte[2048];
        "%PDF-1.7\n"u8.CopyTo(pdf);
        var exe = new byte[4096];
        "MZ"u8.CopyTo(exe);
        await page.GetByLabel("材料（可选）").SetInputFilesAsync(new[]
        {
            new FilePayload { Name = "照片说明.pdf", MimeType = "application/pdf", Buffer = pdf },
            new FilePayload { Name = "收据.pdf", MimeType = "application/pdf", Buffer = exe },
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "提交信访事项" }).ClickAsync();
        await Assertions.Expect(page.Locator("#registered")).ToBeVisibleAsync();
        var caseId = (await page.Locator("#r-case-id").InnerTextAsync()).Trim();
        var code = (await page.Locator("#r-query-code").InnerTextAsync()).Trim();
        var routeBy = (await page.Locator("#r-route-by").InnerTextAsync()).Trim();
        await Assertions.Expect(page.Locator("#upload-failed")).ToContainTextAsync("收据.pdf");
        await Assertions.Expect(page.Locator("#upload-failed")).ToContainTextAsync($"{caseId} 已登记，不受影响");
        await Assertions.Expect(page.Locator("li[data-file='照片说明.pdf']")).ToHaveAttributeAsync("data-state", "uploaded");

        // What the page shows is what the API recorded for that case: number, code, route-by date (Art. 22), channel.
        var mine = await app.Petitioner(code).GetAsync(new Uri($"/api/petitioner/cases/{caseId}", UriKind.Relative)).OkAsync();
        Assert.Equal(caseId, (string)mine["id"]!);
        var staff = await app.As("c-registrar").GetAsync(new Uri($"/api/cases/{caseId}", UriKind.Relative)).OkAsync();
        Assert.Equal("Online", (string)staff["channel"]!);
        Assert.Equal((string)staff.Clock("routing")["dueDate"]!, routeBy);
        Assert.Contains(mine["deadlines"]!.AsArray(), d => (string)d!["dueDate"]! == routeBy);
        Assert.Equal("赵六<b>", (string)staff["petitioner"]!["name"]!);
        var files = await app.As("c-registrar").GetAsync(new Uri($"/api/cases/{caseId}/files", UriKind.Relative)).OkAsync();
        Assert.Equal(["照片说明.pdf"], files.AsArray().Select(f => (string)f!["name"]!));

        // A phone-sized page: nothing wider than the screen; no element made from user text; no CSP report.
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways at 390 px");
        Assert.Equal(0, await page.EvaluateAsync<int>("document.querySelectorAll('main img, main b').length"));
        await BrowserSession.CheckAsync(page, "portal-petition-registered");
        Assert.Empty(violations);

        // Sent again (same person, same matter): told kindly, with the existing number, and nothing new registered.
        await page.ReloadAsync();
        await page.GetByLabel("向哪个信访部门反映").SelectOptionAsync("c-bureau");
        await page.GetByLabel("姓名").FillAsync("赵六");
        await page.GetByLabel("公民身份号码").FillAsync(idNumber);
        await page.GetByLabel("联系电话").FillAsync("13700000000");
        await page.GetByLabel("通信地址").FillAsync("临川市幸福路8号");
        await page.GetByLabel("反映的问题和诉求").FillAsync("路灯仍未修好");
        await page.GetByLabel("问题简称").FillAsync("幸福小区路灯");
        await page.GetByRole(AriaRole.Button, new() { Name = "提交信访事项" }).ClickAsync();
        await Assertions.Expect(page.Locator("#repeat-case-id")).ToHaveTextAsync(caseId);
        await Assertions.Expect(page.Locator("#repeat")).ToContainTextAsync("第十九条");
        await BrowserSession.CheckAsync(page, "portal-petition-repeat");
        Assert.Equal(1, (int)(await app.As("c-registrar").GetAsync(new Uri("/api/cases?unit=c-bureau", UriKind.Relative)).OkAsync())["total"]!);

        // The registrar's queue shows it as an online petition, as the list API says.
        var desk = await ui.PageAsync("c-registrar");
        await desk.GotoAsync(ui.Url("/app/register.html"));
        var row = desk.Locator($"#routing tr[data-id='{caseId}']");
        await Assertions.Expect(row).ToBeVisibleAsync();
        var rows = await PageVersusApi.RowsAsync(desk.Locator("#routing"));
        var shown = rows.Single(r => r.Key == caseId);
        var listed = (await app.As("c-registrar").GetAsync(new Uri("/api/cases?status=Registered&open=true", UriKind.Relative)).OkAsync())["items"]!
            .AsArray().Single(i => (string)i!["id"]! == caseId)!;
        Assert.Equal("Online", (string)listed["channel"]!);
        Assert.Contains("网上信访", shown.Cells);
        Assert.Contains((string)listed["nextDueDate"]!, shown.Cells);

        // On the case page the registration and the repeat are the portal's, as the timeline API records them.
        await desk.GotoAsync(ui.Url($"/app/case.html?id={Uri.EscapeDataString(caseId)}"));
        await Assertions.Expect(desk.Locator("#timeline li[data-type='CaseRegistered']")).ToContainTextAsync("网上信访平台");
        await Assertions.Expect(desk.Locator("#timeline li[data-type='DuplicatePetitionNoted']")).ToContainTextAsync("网上信访平台");
        var timeline = (await app.As("c-registrar").GetAsync(new Uri($"/api/cases/{caseId}", UriKind.Relative)).OkAsync())["timeline"]!.AsArray();
        Assert.Equal(timeline.Count, await desk.Locator("#timeline li").CountAsync());
        Assert.All(timeline.Where(e => (string)e!["type"]! is "CaseRegistered" or "DuplicatePetitionNoted"), e => Assert.Equal("portal", (string)e!["actor"]!));
    }
}
