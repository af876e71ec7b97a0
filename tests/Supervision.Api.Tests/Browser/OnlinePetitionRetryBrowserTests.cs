using Microsoft.Playwright;
using Supervision.Api.Tests.Cases;

namespace Supervision.Api.Tests.Browser;

/// <summary>
/// A lost answer on the portal (decision P2): the first POST reaches the service and registers the petition, but its
/// answer never reaches the page (the connection drops). The page offers 重新提交; pressed, it sends the same submission
/// key with a freshly solved challenge, and shows the same case number and query code the service registered, which
/// work against the API. One case exists. axe-clean at the retry notice and at the answer.
/// </summary>
public sealed class OnlinePetitionRetryBrowserTests
{
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_lost_answer_is_recovered_by_retrying_with_the_same_key_and_shows_the_same_case_and_code()
    {
        await using var app = await CaseApp.StartAsync(Start, kestrel: true, speed: 60, settings: new Dictionary<string, string>
        {
            ["Supervision:Portal:ProofOfWorkBits"] = "10",
        });
        await using var ui = await BrowserSession.StartAsync(app);
        var page = await ui.PageAsync(null, phone: true);

        // The first submission is sent to the service, then its answer is dropped before the page sees it.
        var posts = 0;
        string? lostAnswer = null;
        await page.RouteAsync("**/api/portal/petitions", async route =>
        {
            if (Interlocked.Increment(ref posts) == 1)
            {
                var response = await route.FetchAsync();
                lostAnswer = await response.TextAsync();
                await route.AbortAsync("connectionreset");
                return;
            }

            await route.ContinueAsync();
        });

        await page.GotoAsync(ui.Url("/portal/petition.html"));
        await Assertions.Expect(page.Locator("#f-bureau option[value='c-bureau']")).ToHaveCountAsync(1);
        await page.GetByLabel("向哪个信访部门反映").SelectOptionAsync("c-bureau");
        await page.GetByLabel("姓名").FillAsync("钱七");
        await page.GetByLabel("公民身份号码").FillAsync(OnlinePetitionScenarios.IdNumber("19790412"));
        await page.GetByLabel("联系电话").FillAsync("13600000000");
        await page.GetByLabel("通信地址").FillAsync("临川市和平路5号");
        await page.GetByLabel("反映的问题和诉求").FillAsync("楼道积水无人处理");
        await page.GetByLabel("问题简称").FillAsync("和平路5号积水");
        await page.GetByRole(AriaRole.Button, new() { Name = "提交信访事项" }).ClickAsync();

        // The page does not know whether it was registered: it says so and offers 重新提交.
        var retry = page.GetByRole(AriaRole.Button, new() { Name = "重新提交" });
        await Assertions.Expect(retry).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#retry-notice")).ToContainTextAsync("不能确定是否已经登记");
        await BrowserSession.CheckAsync(page, "portal-petition-retry");
        Assert.NotNull(lostAnswer);
        var lost = System.Text.Json.Nodes.JsonNode.Parse(lostAnswer!)!;
        Assert.Equal("Registered", (string)lost["status"]!);

        await retry.ClickAsync();
        await Assertions.Expect(page.Locator("#registered")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        var caseId = (await page.Locator("#r-case-id").InnerTextAsync()).Trim();
        var code = (await page.Locator("#r-query-code").InnerTextAsync()).Trim();
        Assert.Equal((string)lost["caseId"]!, caseId);
        Assert.Equal((string)lost["queryCode"]!, code);
        await Assertions.Expect(page.Locator("#code-warning")).ToContainTextAsync("查询码只显示这一次");
        await Assertions.Expect(page.Locator("#r-next li")).ToHaveCountAsync(3);
        await BrowserSession.CheckAsync(page, "portal-petition-replayed");
        Assert.Equal(2, posts);

        // The code works against the API, and there is one case.
        var mine = await app.Petitioner(code).GetAsync(new Uri($"/api/petitioner/cases/{caseId}", UriKind.Relative)).OkAsync();
        Assert.Equal("Registered", (string)mine["status"]!);
        Assert.Equal(1, (int)(await app.As("c-registrar").GetAsync(new Uri("/api/cases?unit=c-bureau", UriKind.Relative)).OkAsync())["total"]!);

        // The key is gone from the page's storage once the answer is shown.
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('portal.submission')"));
    }

    [Fact]
    public async Task A_202_answer_keeps_the_key_and_the_retry_confirms_the_same_case_and_code()
    {
        // No wait for the engine: the first answer is 202 (received, still being recorded).
        await using var app = await CaseApp.StartAsync(Start, kestrel: true, speed: 60, settings: new Dictionary<string, string>
        {
            ["Supervision:Portal:ProofOfWorkBits"] = "10",
            ["Supervision:Commands:Wait"] = "00:00:00",
        });
        await using var ui = await BrowserSession.StartAsync(app);
        var page = await ui.PageAsync(null, phone: true);
        await page.GotoAsync(ui.Url("/portal/petition.html"));
        await Assertions.Expect(page.Locator("#f-bureau option[value='c-bureau']")).ToHaveCountAsync(1);
        await page.GetByLabel("向哪个信访部门反映").SelectOptionAsync("c-bureau");
        await page.GetByLabel("姓名").FillAsync("孙八");
        await page.GetByLabel("公民身份号码").FillAsync(OnlinePetitionScenarios.IdNumber("19830719"));
        await page.GetByLabel("联系电话").FillAsync("13500000000");
        await page.GetByLabel("通信地址").FillAsync("临川市建设路9号");
        await page.GetByLabel("反映的问题和诉求").FillAsync("门前道路塌陷");
        await page.GetByLabel("问题简称").FillAsync("建设路9号塌陷");
        await page.GetByRole(AriaRole.Button, new() { Name = "提交信访事项" }).ClickAsync();

        await Assertions.Expect(page.Locator("#registered[data-status='Pending']")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        var caseId = (await page.Locator("#r-case-id").InnerTextAsync()).Trim();
        var code = (await page.Locator("#r-query-code").InnerTextAsync()).Trim();
        Assert.NotNull(await page.EvaluateAsync<string?>("sessionStorage.getItem('portal.submission')"));
        await BrowserSession.CheckAsync(page, "portal-petition-pending");

        // Once recorded, 重新提交 confirms it: the same case number and code, now registered, and the key is dropped.
        await app.CaseWhenAsync("c-registrar", caseId, _ => true, "the registration to be recorded");
        await page.Locator("#pending-retry").ClickAsync();
        await Assertions.Expect(page.Locator("#registered[data-status='Registered']")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#r-case-id")).ToHaveTextAsync(caseId);
        await Assertions.Expect(page.Locator("#r-query-code")).ToHaveTextAsync(code);
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('portal.submission')"));

        var mine = await app.Petitioner(code).GetAsync(new Uri($"/api/petitioner/cases/{caseId}", UriKind.Relative)).OkAsync();
        Assert.Equal("Registered", (string)mine["status"]!);
        Assert.Equal(1, (int)(await app.As("c-registrar").GetAsync(new Uri("/api/cases?unit=c-bureau", UriKind.Relative)).OkAsync())["total"]!);
    }
}
