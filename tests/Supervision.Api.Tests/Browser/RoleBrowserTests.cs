using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Supervision.Api.Tests.Cases;
using Supervision.Api.Tests.Oversight;

namespace Supervision.Api.Tests.Browser;

/// <summary>
/// Each role's main path in the browser, through the documented API only: the registrar registers (and sees the repeat
/// warning) and routes (and is refused the accused unit), the agency accepts, its head extends, the officer replies,
/// and the petitioner rates in the portal; another unit is refused. Every main page is screenshotted and axe-checked.
/// </summary>
public sealed class RoleBrowserTests
{
    private static readonly DateTimeOffset Start = new(2025, 9, 10, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Intake_routing_acceptance_extension_reply_and_the_petitioner_rates_in_the_portal()
    {
        // One legal minute per real second: the day does not change during the test.
        await using var app = await CaseApp.StartAsync(Start, kestrel: true, demo: true, speed: 60);
        await using var ui = await BrowserSession.StartAsync(app);
        var today = app.Now.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        // Sign-in: without a cookie the home sends the visitor to sign in; the default is someone with work, not admin.
        var page = await ui.PageAsync(null);
        await page.GotoAsync(ui.Url("/app/"));
        await page.WaitForURLAsync("**/signin.html");
        var chosen = page.Locator("input[name='person']:checked");
        await Assertions.Expect(chosen).ToHaveCountAsync(1);
        Assert.NotEqual("admin", await chosen.GetAttributeAsync("value"));
        await BrowserSession.CheckAsync(page, "signin");
        await page.Locator("input[value='c-registrar']").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "以所选身份进入" }).ClickAsync();
        await page.WaitForURLAsync("**/register.html");

        // Intake: register, read the case id and the query code shown once.
        var matter = "browser:intake:" + Guid.NewGuid().ToString("N")[..8];
        await FillIntakeAsync(page, matter);
        await Assertions.Expect(page.Locator("#registered")).ToBeVisibleAsync();
        var id = await page.Locator("#registered a").InnerTextAsync();
        var code = await page.Locator("#query-code").InnerTextAsync();
        Assert.StartsWith("XF-", id, StringComparison.Ordinal);
        await BrowserSession.CheckAsync(page, "register");

        // The same petitioner and matter again: the 409 is shown as a repeat warning naming the open case (Art. 19).
        await FillIntakeAsync(page, matter);
        await Assertions.Expect(page.Locator("#repeat-warning")).ToContainTextAsync("第十九条");
        await Assertions.Expect(page.Locator("#repeat-warning")).ToContainTextAsync(id);

        // An accusation against the city HRSS bureau: routing it there is refused by the server, with its reason shown.
        var (accusation, _) = await app.As("c-registrar").RegisterAsync(app.Now, matter: "browser:accuse:" + matter, category: "Accusation", accusedUnit: "c-hrss");
        await page.ReloadAsync();
        var accRow = page.Locator($"tr[data-id='{accusation}']");
        await accRow.Locator("select[name='agencyId']").SelectOptionAsync("c-hrss");
        await accRow.GetByRole(AriaRole.Button, new() { Name = "提交" }).ClickAsync();
        await Assertions.Expect(page.Locator("#route-result .error")).ToBeVisibleAsync();

        // Routing (转送) to the city housing bureau.
        var row = page.Locator($"tr[data-id='{id}']");
        await row.Locator("select[name='agencyId']").SelectOptionAsync("c-housing");
        await row.GetByRole(AriaRole.Button, new() { Name = "提交" }).ClickAsync();
        await Assertions.Expect(page.Locator("#route-result")).ToContainTextAsync("已转送");

        // The accused unit does not see the accusation at all (404, as if it did not exist), in the API and the page.
        Assert.Equal(HttpStatusCode.NotFound, (await app.As("c-hrss-officer").GetAsync($"/api/cases/{accusation}")).StatusCode);

        // Agency: the officer sees the case with its light and countdown, and accepts it on the case page.
        await ui.SignInAsync(page.Context, "c-housing-officer");
        await page.GotoAsync(ui.Url("/app/agency.html"));
        var agencyRow = page.Locator($"tr[data-id='{id}']");
        await Assertions.Expect(agencyRow).ToHaveAttributeAsync("data-light", "Green");
        await Assertions.Expect(agencyRow.Locator("[data-countdown]")).ToContainTextAsync("个工作日");
        await BrowserSession.CheckAsync(page, "agency");
        await agencyRow.GetByRole(AriaRole.Link, new() { Name = id }).ClickAsync();
        await StepAsync(page, "accept", "受理");
        await Assertions.Expect(page.Locator("[data-clock='handling']")).ToHaveAttributeAsync("data-light", "Green");
        await Assertions.Expect(page.Locator("#act-result")).ToContainTextAsync("已受理");

        // A person of another unit is refused: the case is not theirs to see (404), in the page and in the API.
        var outsider = await ui.PageAsync("cb-housing-officer");
        await outsider.GotoAsync(ui.Url($"/app/case.html?id={id}"));
        await Assertions.Expect(outsider.Locator("#summary .error")).ToBeVisibleAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await app.As("cb-housing-officer").Command(id, "reply", new { outcome = "Support", opinionFile = "x" })).StatusCode);

        // Extension: only the agency head approves it (the officer is told so); 30 days, reason, petitioner told today.
        await Assertions.Expect(page.Locator("#actions")).ToContainTextAsync("负责人批准");
        await ui.SignInAsync(page.Context, "c-housing-head");
        await page.ReloadAsync();
        await StepAsync(page, "approve-extension", "批准延期", async f =>
        {
            await f.Locator("textarea[name='reason']").FillAsync("需要现场勘验");
            await f.Locator("input[name='petitionerToldOn']").FillAsync(today);
        });
        await Assertions.Expect(page.Locator("#act-result")).ToContainTextAsync("已批准延期");
        await Assertions.Expect(page.Locator("[data-clock='handling'] details")).ToContainTextAsync("2025");
        await page.Locator("[data-clock='handling'] summary").ClickAsync();
        await BrowserSession.CheckAsync(page, "case");

        // Reply (出具信访处理意见书) by the officer.
        await ui.SignInAsync(page.Context, "c-housing-officer");
        await page.ReloadAsync();
        await StepAsync(page, "reply", "出具信访处理意见书", f => f.Locator("input[name='opinionFile']").FillAsync("临住建信复〔2025〕1号"));
        await Assertions.Expect(page.Locator("#facts")).ToHaveAttributeAsync("data-status", "Replied");

        // Petitioner portal on a phone: a wrong code reveals nothing; the right one shows progress; the petitioner rates.
        var portal = await ui.PageAsync(null, phone: true);
        await portal.GotoAsync(ui.Url("/portal/"));
        await portal.GetByLabel("事项编号").FillAsync(id);
        await portal.GetByLabel("查询码").FillAsync("WRONG-CODE");
        await portal.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        await Assertions.Expect(portal.Locator("#not-found")).ToBeVisibleAsync();
        await Assertions.Expect(portal.Locator("#progress")).ToHaveCountAsync(0);
        await portal.GetByLabel("查询码").FillAsync(code);
        await portal.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        await Assertions.Expect(portal.Locator("#progress")).ToHaveAttributeAsync("data-status", "Replied");
        await Assertions.Expect(portal.Locator("#progress")).Not.ToContainTextAsync("窦春梅"); // no officer's name
        await Assertions.Expect(portal.Locator("#progress")).Not.ToContainTextAsync("住房"); // nor a unit's
        await Assertions.Expect(portal.Locator("#steps")).ToContainTextAsync("有权处理机关已受理");
        await Assertions.Expect(portal.Locator("#steps")).ToContainTextAsync("办理期限延长 30 日");
        await Assertions.Expect(portal.Locator("#steps")).ToContainTextAsync("已出具处理意见");
        await Assertions.Expect(portal.Locator("#replies")).ToContainTextAsync("纸质送达"); // a paper reference: nothing to download
        await portal.GetByLabel("基本满意").CheckAsync();
        await portal.GetByRole(AriaRole.Button, new() { Name = "提交评价" }).ClickAsync();
        await Assertions.Expect(portal.Locator("#msg")).ToContainTextAsync("评价已提交");
        await BrowserSession.CheckAsync(portal, "portal");
        var detail = await app.As("c-registrar").GetAsync($"/api/cases/{id}").OkAsync();
        Assert.Equal("BasicallySatisfied", (string)detail["ratings"]![0]!["rating"]!);

        // The printable 督办单 for the case carries the legal fields.
        await page.GotoAsync(ui.Url($"/app/ticket.html?case={id}"));
        await Assertions.Expect(page.Locator("#doc")).ToContainTextAsync("信访事项督办单");
        await Assertions.Expect(page.Locator("#doc")).ToContainTextAsync("督办依据");
        await BrowserSession.CheckAsync(page, "ticket-print");
    }

    [Fact]
    public async Task Every_role_page_loads_for_its_people_and_passes_axe()
    {
        await using var app = await CaseApp.StartAsync(Start, kestrel: true, demo: true, speed: 60);
        await using var ui = await BrowserSession.StartAsync(app);
        var (id, _) = await app.As("c-registrar").RegisterAsync(app.Now, matter: "browser:pages:" + Guid.NewGuid().ToString("N")[..8]);

        foreach (var (person, path, name, check) in new (string, string, string, string)[]
        {
            ("c-supervisor", "/app/supervisor.html", "supervisor", "#late"),
            ("c-conf-staff", "/app/conference.html", "conference", "#approvals"),
            ("c-leader", "/app/leader.html", "leader", "#score-table"),
            ("c-registrar", "/app/mailbox.html", "mailbox", "#mail table"),
        })
        {
            var page = await ui.PageAsync(person);
            await page.GotoAsync(ui.Url(path));
            await Assertions.Expect(page.Locator(check)).Not.ToBeEmptyAsync();
            await Assertions.Expect(page.Locator("#who")).ToContainTextAsync("（");
            await CompareWithApiAsync(app, person, page, name);
            await BrowserSession.CheckAsync(page, name);
        }

        // The registrar's page on a phone.
        var phone = await ui.PageAsync("c-registrar", phone: true);
        await phone.GotoAsync(ui.Url("/app/register.html"));
        await Assertions.Expect(phone.Locator($"tr[data-id='{id}']")).ToBeVisibleAsync();
        await BrowserSession.CheckAsync(phone, "register-phone");
    }

    /// <summary>The page lists what the API gives that person, in the API's order, with the API's dates and counts.</summary>
    private static async Task CompareWithApiAsync(CaseApp app, string person, IPage page, string name)
    {
        var client = app.As(person);
        static IEnumerable<JsonNode> Items(JsonNode list) => list["items"]!.AsArray().Select(c => c!);
        switch (name)
        {
            case "supervisor":
                // Red then orange open cases, each with its light and next due date.
                await PageVersusApi.AgreeAsync(
                    async () =>
                    {
                        var shown = (await PageVersusApi.RowsAsync(page.Locator("#late"))).Select(r => $"{r.Key} {r.Light} {r.Cells[3]}").ToList();
                        var red = await client.GetJsonAsync("/api/cases?light=red&open=true&pageSize=100");
                        var orange = await client.GetJsonAsync("/api/cases?light=orange&open=true&pageSize=100");
                        return (shown, Items(red).Concat(Items(orange)).Select(c => $"{c["id"]} {c["light"]} {(string?)c["nextDueDate"] ?? ""}").ToList());
                    },
                    "the supervisor's late cases");
                break;
            case "leader":
                // The red open cases with their due dates, and the count in the key figures.
                var total = await PageVersusApi.AgreeAsync(
                    async () =>
                    {
                        var red = await client.GetJsonAsync("/api/cases?light=red&open=true&pageSize=200");
                        var shown = (await PageVersusApi.RowsAsync(page.Locator("#overdue"))).Select(r => $"{r.Key} {r.Cells[3]}").ToList();
                        var kpi = await page.Locator("[data-kpi='red'] strong").InnerTextAsync();
                        return (shown.Append(kpi).ToList(), Items(red).Select(c => $"{c["id"]} {(string?)c["nextDueDate"] ?? ""}").Append(((int)red["total"]!).ToString(CultureInfo.InvariantCulture)).ToList());
                    },
                    "the leader's red cases");
                Assert.NotEmpty(total);
                break;
            case "mailbox":
                // The person's alerts, newest first as the API orders them, each with its subject.
                await PageVersusApi.AgreeAsync(
                    async () =>
                    {
                        var mail = (await client.GetJsonAsync("/api/mailbox")).AsArray().Take(100);
                        var shown = (await PageVersusApi.RowsAsync(page.Locator("#mail"))).Select(r => $"{r.Key} {r.Cells[3].Split('\n')[0]}").ToList();
                        return (shown, mail.Select(m => $"{m!["alertId"]} {m["subject"]}").ToList());
                    },
                    "the registrar's mailbox");
                break;
            case "conference":
                // The joint assignments awaiting the office's approval.
                await PageVersusApi.AgreeAsync(
                    async () =>
                    {
                        var inbox = await client.GetJsonAsync("/api/inbox/conference");
                        var shown = (await PageVersusApi.RowsAsync(page.Locator("#approvals"))).Select(r => r.Key).Where(k => k.Length > 0).Order(StringComparer.Ordinal).ToList();
                        return (shown, inbox["approvals"]!.AsArray().Select(a => (string)(a!["id"] ?? a["assignmentId"])!).Order(StringComparer.Ordinal).ToList());
                    },
                    "the conference office's approvals");
                break;
        }
    }

    [Fact]
    public async Task A_case_moves_from_green_to_red_on_the_agency_page_as_the_clock_passes_its_deadline()
    {
        // Three legal days per real second: the 60-day handling clock stays green for about 15 s after acceptance.
        await using var app = await CaseApp.StartAsync(Start, kestrel: true, demo: true, speed: 3 * 86_400);
        var registrar = app.As("c-registrar");
        var (id, _) = await registrar.RegisterAsync(app.Now, matter: "browser:elevator");
        await registrar.Command(id, "route", new { kind = "Forward", agencyId = "c-housing" }).OkAsync();
        var accepted = await app.As("c-housing-officer").Command(id, "accept").OkAsync();
        var due = DateTimeOffset.Parse((string)accepted.Clock("handling")["dueInstant"]!, CultureInfo.InvariantCulture);

        await using var ui = await BrowserSession.StartAsync(app);
        var page = await ui.PageAsync("c-housing-officer");
        await page.GotoAsync(ui.Url("/app/"));
        await page.WaitForURLAsync("**/agency.html");
        var row = page.Locator($"tr[data-id='{id}']");
        await Assertions.Expect(row).ToHaveAttributeAsync("data-light", "Green", new() { Timeout = 15_000 });

        // The row shows the light, the duty's due date and its working days left exactly as the API's list row has them.
        var officer = app.As("c-housing-officer");
        Task<string> Shown(string what) => PageVersusApi.AgreeAsync(
            async () =>
            {
                var countdown = row.Locator("[data-countdown]");
                var shown = $"{await row.GetAttributeAsync("data-light")} {await countdown.GetAttributeAsync("data-countdown")} {await countdown.InnerTextAsync()}";
                var listed = (await officer.GetJsonAsync("/api/cases?pageSize=100"))["items"]!.AsArray().Single(c => (string?)c!["id"] == id)!;
                var dutyDue = (string)listed["duty"]!["dueDate"]!;
                var left = (int)listed["duty"]!["workingDaysLeft"]!;
                // As the page words it (shell.js daysLeft): a red row with no working day lost yet reads plain 已超期.
                var words = left < 0 ? $"已超期 {-left} 个工作日" : (bool)listed["duty"]!["overdue"]! ? "已超期" : $"剩余 {left} 个工作日";
                return (shown, $"{listed["light"]} {left} 办理期限 届满 {dutyDue}，{words}");
            },
            what);
        var green = await Shown("the green row");
        Assert.StartsWith("Green ", green, StringComparison.Ordinal);
        Assert.Contains("届满 " + (string)accepted.Clock("handling")["dueDate"]!, green, StringComparison.Ordinal);

        // Five working days before the deadline the light turns yellow; the page picks it up on its next refresh.
        await app.UntilAsync(due - TimeSpan.FromDays(5));
        await Assertions.Expect(row).Not.ToHaveAttributeAsync("data-light", "Green", new() { Timeout = 15_000 });
        Assert.DoesNotMatch("^Green ", await Shown("the row near its deadline"));

        await app.UntilAsync(due + TimeSpan.FromHours(1));
        await Assertions.Expect(row).ToHaveAttributeAsync("data-light", "Red", new() { Timeout = 15_000 });
        var red = await Shown("the overdue row");
        Assert.StartsWith("Red ", red, StringComparison.Ordinal);
        Assert.Contains("已超期", red, StringComparison.Ordinal);

        // The case page shows the handling clock red with its explanation, and the overdue in the timeline; the
        // mailbox has the alert.
        await row.GetByRole(AriaRole.Link, new() { Name = id }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-clock='handling']")).ToHaveAttributeAsync("data-light", "Red", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#timeline")).ToContainTextAsync("超期（红灯）");
        await BrowserSession.CheckAsync(page, "case-red");
        await page.GotoAsync(ui.Url("/app/mailbox.html"));
        await Assertions.Expect(page.Locator("#mail")).ToContainTextAsync(id);

        // The red clock raised a 督办单: the case page lists it, and so does the bureau supervisor's page.
        await page.GotoAsync(ui.Url($"/app/case.html?id={id}"));
        await Assertions.Expect(page.Locator($"#tickets [data-ticket^='DB-{id}-handling-']")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        var supervisor = await ui.PageAsync("c-supervisor");
        await supervisor.GotoAsync(ui.Url("/app/supervisor.html"));
        await Assertions.Expect(supervisor.Locator($"#tickets tr[data-ticket^='DB-{id}-handling-']")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await BrowserSession.CheckAsync(supervisor, "supervisor-tickets");

        // The ticket is handled: the agency opens it from its page and responds (it may have gone up the ladder
        // meanwhile, at three legal days a second: a response is allowed at every form), the supervisor accepts, and
        // the ticket closes.
        var ticketId = (await supervisor.Locator($"#tickets tr[data-ticket^='DB-{id}-handling-']").First.GetAttributeAsync("data-ticket"))!;
        await page.GotoAsync(ui.Url("/app/agency.html"));
        await page.Locator($"#tickets tr[data-ticket='{ticketId}']").GetByRole(AriaRole.Link, new() { Name = ticketId }).ClickAsync();
        var respond = page.Locator("form[data-action='respond']");
        await respond.GetByLabel("办理情况 *").FillAsync("已督促承办人员实质办理，并书面答复信访人");
        await respond.GetByRole(AriaRole.Button, new() { Name = "提交反馈" }).ClickAsync();
        await Assertions.Expect(page.Locator("#ticket-facts")).ToHaveAttributeAsync("data-status", "Responded");
        await supervisor.GotoAsync(ui.Url($"/app/ticket.html?id={Uri.EscapeDataString(ticketId)}"));
        await Assertions.Expect(supervisor.Locator("#ticket-facts")).ToHaveAttributeAsync("data-status", "Responded");
        await supervisor.Locator("form[data-action='accept']").GetByRole(AriaRole.Button, new() { Name = "审核通过" }).ClickAsync();
        await Assertions.Expect(supervisor.Locator("#ticket-facts")).ToHaveAttributeAsync("data-status", "Closed");
        var closed = await app.As("c-supervisor").GetJsonAsync($"/api/tickets/{ticketId}");
        Assert.Equal(("Closed", "ResponseAccepted", "已督促承办人员实质办理，并书面答复信访人"),
            ((string)closed["status"]!, (string)closed["closeReason"]!, (string)closed["report"]!));
    }

    private static async Task FillIntakeAsync(IPage page, string matter)
    {
        var form = page.Locator("#intake");
        await form.GetByLabel("信访人姓名 *").FillAsync("李四");
        await form.GetByLabel("联系电话").FillAsync("13900000000");
        await form.GetByLabel("诉求摘要 *").FillAsync("小区电梯停运三个月");
        await form.GetByLabel("事项要点 *").FillAsync(matter);
        await form.GetByLabel("事项类别").SelectOptionAsync("Complaint");
        await form.GetByRole(AriaRole.Button, new() { Name = "登记" }).ClickAsync();
    }

    /// <summary>Opens a step on the case page, fills it and submits it.</summary>
    private static async Task StepAsync(IPage page, string action, string label, Func<ILocator, Task>? fill = null)
    {
        var step = page.Locator("details.step").Filter(new() { Has = page.Locator($"form[data-action='{action}']") });
        await step.Locator("summary").ClickAsync();
        var form = step.Locator("form");
        if (fill is not null)
        {
            await fill(form);
        }

        await form.GetByRole(AriaRole.Button, new() { Name = label }).ClickAsync();
    }
}
