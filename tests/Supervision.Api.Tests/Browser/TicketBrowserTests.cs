using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Supervision.Api.Tests.Cases;
using Supervision.Api.Tests.Oversight;

namespace Supervision.Api.Tests.Browser;

/// <summary>
/// The 督办单 handled in the browser: the supervisor issues it by hand, the agency signs it and responds with a report
/// file, the supervisor rejects the response (the ticket goes one form up) and accepts the next one (it closes); people
/// of unrelated units are told it is not there. And the intake form uploads the petitioner's files after registering.
/// Every step is checked on the page and against what the API then reports.
/// </summary>
public sealed class TicketBrowserTests
{
    /// <summary>Monday 3 November 2025, 09:00 in Beijing: working days ahead, no holiday.</summary>
    private static readonly DateTimeOffset Start = new(2025, 11, 3, 1, 0, 0, TimeSpan.Zero);

    /// <summary>One legal minute per real second: the response window (5 working days) neither runs out nor escalates
    /// while the browser works, so every change the test sees is one it made.</summary>
    private const double Speed = 60;

    [Fact]
    public async Task The_agency_signs_and_responds_with_a_file_and_the_supervisor_rejects_then_accepts_the_ticket()
    {
        await using var app = await CaseApp.StartAsync(Start, kestrel: true, speed: Speed);
        var caseId = await HandledCaseAsync(app, "browser:ticket");
        await using var ui = await BrowserSession.StartAsync(app);

        // The supervisor issues a 督办单 by hand on the supervisor page (Art. 40: 推诿、敷衍、拖延) to the unit handling the case.
        var supervisor = await ui.PageAsync("c-supervisor");
        await supervisor.GotoAsync(ui.Url("/app/supervisor.html"));
        var issue = supervisor.Locator("#issue");
        await issue.GetByLabel("事项编号 *").FillAsync(caseId);
        await issue.GetByLabel("督办事由").SelectOptionAsync("Stalling");
        await issue.GetByLabel("存在问题 *").FillAsync("多次推诿，未实质办理");
        await issue.GetByRole(AriaRole.Button, new() { Name = "下发督办单" }).ClickAsync();
        await Assertions.Expect(supervisor.Locator("#issued a")).ToContainTextAsync($"DB-{caseId}-manual-");
        var ticketId = await supervisor.Locator("#issued a").InnerTextAsync();
        var raised = await app.TicketWhenAsync("c-supervisor", ticketId, t => (string)t["status"]! == "Open", "the ticket raised on the supervisor page");
        Assert.Equal("c-housing", (string)raised["agency"]!["id"]!);
        Assert.Equal(("Stalling", "Written"), ((string)raised["ground"]!, (string)raised["form"]!));

        // The agency officer opens it from the agency page: state, response deadline with light and countdown, timeline,
        // and only the agency's steps.
        var agency = await ui.PageAsync("c-housing-officer");
        await agency.GotoAsync(ui.Url("/app/agency.html"));
        await agency.Locator($"#tickets tr[data-ticket='{ticketId}']").GetByRole(AriaRole.Link, new() { Name = ticketId }).ClickAsync();
        var facts = agency.Locator("#ticket-facts");
        await Assertions.Expect(facts).ToHaveAttributeAsync("data-status", "Open");
        await Assertions.Expect(agency.Locator("#ticket-status")).ToHaveTextAsync("待签收");
        await Assertions.Expect(agency.Locator("#response-clock")).ToHaveAttributeAsync("data-light", "Green");
        await Assertions.Expect(agency.Locator("#response-countdown")).ToContainTextAsync("剩余");
        await Assertions.Expect(agency.Locator("#response-clock")).ToContainTextAsync((string)raised["response"]!["dueDate"]!);
        await Assertions.Expect(agency.Locator("#ticket-timeline li[data-type='TicketRaised']")).ToContainTextAsync("下发督办单");
        await Assertions.Expect(agency.GetByRole(AriaRole.Button, new() { Name = "审核通过" })).ToHaveCountAsync(0);
        await Assertions.Expect(agency.Locator("#doc")).ToContainTextAsync(ticketId);
        await BrowserSession.CheckAsync(agency, "ticket-agency");

        // 签收, then 反馈 with a report file: uploaded to the case's files and cited by its SHA-256.
        await agency.GetByRole(AriaRole.Button, new() { Name = "签收", Exact = true }).ClickAsync();
        await Assertions.Expect(facts).ToHaveAttributeAsync("data-status", "Acknowledged");
        await Assertions.Expect(agency.Locator("#ticket-result")).ToContainTextAsync("已签收");
        var pdf = Pdf("rectification report");
        var sha = Convert.ToHexStringLower(SHA256.HashData(pdf));
        var respond = agency.Locator("form[data-action='respond']");
        await respond.GetByLabel("办理情况 *").FillAsync("已约谈物业公司，电梯已修复");
        await respond.GetByLabel("附件（可选）").SetInputFilesAsync(new FilePayload { Name = "整改报告.pdf", MimeType = "application/pdf", Buffer = pdf });
        await respond.GetByRole(AriaRole.Button, new() { Name = "提交反馈" }).ClickAsync();
        await Assertions.Expect(facts).ToHaveAttributeAsync("data-status", "Responded");
        await Assertions.Expect(agency.Locator("#ticket-files")).ToContainTextAsync(sha);
        await Assertions.Expect(agency.Locator("#ticket-files")).ToContainTextAsync("整改报告.pdf");
        await Assertions.Expect(agency.Locator("#no-steps")).ToHaveTextAsync("已反馈，等待督办单位审核。");

        var stored = (await app.As("c-housing-officer").GetJsonAsync($"/api/cases/{caseId}/files")).AsArray().Single(f => (string)f!["sha256"]! == sha)!;
        Assert.Equal(("TicketReport", "整改报告.pdf", pdf.Length), ((string)stored["kind"]!, (string)stored["name"]!, (int)stored["size"]!));
        var responded = await app.As("c-supervisor").GetJsonAsync($"/api/tickets/{ticketId}");
        Assert.Equal("Responded", (string)responded["status"]!);
        Assert.Equal("已约谈物业公司，电梯已修复", (string)responded["report"]!);
        Assert.Equal([$"{(string)stored["id"]!}@sha256:{sha}"], responded["files"]!.AsArray().Select(f => (string)f!));

        // The supervisor opens it from the supervisor page and sees the response; only the supervisor's steps.
        await supervisor.GotoAsync(ui.Url("/app/supervisor.html"));
        await supervisor.Locator($"#tickets tr[data-ticket='{ticketId}']").GetByRole(AriaRole.Link, new() { Name = ticketId }).ClickAsync();
        var reviewed = supervisor.Locator("#ticket-facts");
        await Assertions.Expect(reviewed).ToHaveAttributeAsync("data-status", "Responded");
        await Assertions.Expect(supervisor.Locator("#ticket-files")).ToContainTextAsync(sha);
        await Assertions.Expect(supervisor.GetByRole(AriaRole.Button, new() { Name = "签收", Exact = true })).ToHaveCountAsync(0);

        // 退回 with a blank reason: the server's problem detail is shown, nothing changes. Then with a reason: one form up.
        var reject = supervisor.Locator("form[data-action='reject']");
        await reject.GetByLabel("退回理由 *").FillAsync("   ");
        await reject.GetByRole(AriaRole.Button, new() { Name = "退回", Exact = true }).ClickAsync();
        await Assertions.Expect(supervisor.Locator("#ticket-result [role='alert']")).ToContainTextAsync("a rejection states its reason");
        await Assertions.Expect(reviewed).ToHaveAttributeAsync("data-status", "Responded");
        const string Reason = "未说明电梯修复后的验收情况";
        await reject.GetByLabel("退回理由 *").FillAsync(Reason);
        await reject.GetByRole(AriaRole.Button, new() { Name = "退回", Exact = true }).ClickAsync();
        await Assertions.Expect(reviewed).ToHaveAttributeAsync("data-status", "Open");
        await Assertions.Expect(reviewed).ToHaveAttributeAsync("data-form", "Interview");
        await Assertions.Expect(supervisor.Locator("#ticket-rejection")).ToHaveTextAsync(Reason);
        await Assertions.Expect(supervisor.Locator("#ticket-timeline li[data-type='TicketEscalated']")).ToContainTextAsync("约谈督办");
        await Assertions.Expect(supervisor.Locator("#no-steps")).ToHaveTextAsync("等待被督办单位签收和反馈。");
        var rejected = await app.As("c-housing-officer").GetJsonAsync($"/api/tickets/{ticketId}");
        Assert.Equal(("Open", "Interview", Reason, 1), ((string)rejected["status"]!, (string)rejected["form"]!, (string)rejected["lastRejection"]!, (int)rejected["escalations"]!));

        // The escalated ticket is on the leader's page in the words the API gives it, never as an enum name ("Interview Open").
        var inbox = await app.As("c-leader").GetJsonAsync("/api/inbox/leader");
        var escalated = inbox["escalations"]!.AsArray().Single(t => (string)t!["id"]! == ticketId)!;
        Assert.Equal(("约谈督办", "待签收"), ((string)escalated["formName"]!, (string)escalated["statusName"]!));
        var leader = await ui.PageAsync("c-leader");
        await leader.GotoAsync(ui.Url("/app/leader.html"));
        var item = leader.Locator($"#escalations li[data-ticket='{ticketId}']");
        await Assertions.Expect(item).ToContainTextAsync($"{escalated["formName"]} {escalated["statusName"]} 反馈期限 {escalated["dueDate"]}");
        Assert.DoesNotMatch("Interview|Open", await item.InnerTextAsync());

        // The agency sees why and responds again (text only); the supervisor accepts; the ticket is closed on both pages.
        await agency.ReloadAsync();
        await Assertions.Expect(facts).ToHaveAttributeAsync("data-status", "Open");
        await Assertions.Expect(agency.Locator("#ticket-rejection")).ToHaveTextAsync(Reason);
        var again = agency.Locator("form[data-action='respond']");
        await again.GetByLabel("办理情况 *").FillAsync("电梯已修复，并经特种设备检验机构验收合格");
        await again.GetByRole(AriaRole.Button, new() { Name = "提交反馈" }).ClickAsync();
        await Assertions.Expect(facts).ToHaveAttributeAsync("data-status", "Responded");

        await supervisor.ReloadAsync();
        await Assertions.Expect(reviewed).ToHaveAttributeAsync("data-status", "Responded");
        await supervisor.Locator("form[data-action='accept']").GetByLabel("审核意见").FillAsync("同意");
        await supervisor.GetByRole(AriaRole.Button, new() { Name = "审核通过" }).ClickAsync();
        await Assertions.Expect(reviewed).ToHaveAttributeAsync("data-status", "Closed");
        await Assertions.Expect(supervisor.Locator("#ticket-status")).ToHaveTextAsync("已结束（反馈经审核通过）");
        await Assertions.Expect(supervisor.Locator("#no-steps")).ToHaveTextAsync("督办单已结束。");
        await Assertions.Expect(supervisor.Locator("#ticket-timeline li[data-type='TicketResponseAccepted']")).ToContainTextAsync("审核通过：同意");
        await BrowserSession.CheckAsync(supervisor, "ticket-closed");
        await agency.ReloadAsync();
        await Assertions.Expect(agency.Locator("#ticket-status")).ToHaveTextAsync("已结束（反馈经审核通过）");
        await Assertions.Expect(agency.Locator("form[data-action]")).ToHaveCountAsync(0);

        var closed = await app.As("c-supervisor").GetJsonAsync($"/api/tickets/{ticketId}");
        Assert.Equal(("Closed", "ResponseAccepted", false), ((string)closed["status"]!, (string)closed["closeReason"]!, (bool)closed["open"]!));
        Assert.Equal("电梯已修复，并经特种设备检验机构验收合格", (string)closed["report"]!);
        Assert.Equal(["TicketAcknowledged", "TicketResponded", "TicketResponseRejected", "TicketResponded", "TicketResponseAccepted"],
            closed["timeline"]!.AsArray().Select(e => (string)e!["type"]!).Where(t => t is not ("TicketRaised" or "TicketEscalated")));
    }

    [Fact]
    public async Task The_intake_form_uploads_the_petitioners_files_after_registering_and_a_refused_file_keeps_the_case()
    {
        await using var app = await CaseApp.StartAsync(Start, kestrel: true, speed: Speed);
        await using var ui = await BrowserSession.StartAsync(app);
        var letter = Encoding.UTF8.GetBytes("信访人反映：小区电梯停运三个月，物业不予维修。\n附：停运通知照片说明。\n");
        var sha = Convert.ToHexStringLower(SHA256.HashData(letter));
        byte[] program = [0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00]; // a Windows program posing as a photo

        var page = await ui.PageAsync("c-registrar");
        await page.GotoAsync(ui.Url("/app/register.html"));
        var form = page.Locator("#intake");
        await form.GetByLabel("信访人姓名 *").FillAsync("李四");
        await form.GetByLabel("诉求摘要 *").FillAsync("小区电梯停运三个月");
        await form.GetByLabel("事项要点 *").FillAsync("browser:files:" + Guid.NewGuid().ToString("N")[..8]);
        await form.GetByLabel("信访人提交的材料").SetInputFilesAsync(
        [
            new FilePayload { Name = "信访材料.txt", MimeType = "text/plain", Buffer = letter },
            new FilePayload { Name = "现场照片.jpg", MimeType = "image/jpeg", Buffer = program },
        ]);
        await form.GetByRole(AriaRole.Button, new() { Name = "登记" }).ClickAsync();

        // The case is registered whatever happens to the files; each file is listed with its size and SHA-256, or why it failed.
        await Assertions.Expect(page.Locator("#registered")).ToBeVisibleAsync();
        var id = await page.Locator("#registered a").InnerTextAsync();
        var uploaded = page.Locator("#upload-list li[data-file='信访材料.txt']");
        await Assertions.Expect(uploaded).ToHaveAttributeAsync("data-state", "uploaded");
        await Assertions.Expect(uploaded).ToHaveAttributeAsync("data-sha256", sha);
        await Assertions.Expect(uploaded).ToContainTextAsync(sha);
        await Assertions.Expect(uploaded).ToContainTextAsync($"{letter.Length} 字节");
        await Assertions.Expect(page.Locator("#upload-list li[data-file='现场照片.jpg']")).ToHaveAttributeAsync("data-state", "failed");
        var summary = page.Locator("#upload-summary [role='alert']");
        await Assertions.Expect(summary).ToContainTextAsync($"事项 {id} 已登记");
        await Assertions.Expect(summary).ToContainTextAsync("现场照片.jpg");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "重新上传 现场照片.jpg" })).ToBeVisibleAsync();
        await BrowserSession.CheckAsync(page, "register-files");

        // The API: the case exists, and its files are exactly the accepted one, with the SHA-256 computed here.
        var registrar = app.As("c-registrar");
        Assert.Equal("Registered", (string)(await registrar.GetJsonAsync($"/api/cases/{id}"))["status"]!);
        var file = Assert.Single((await registrar.GetJsonAsync($"/api/cases/{id}/files")).AsArray())!;
        Assert.Equal((sha, "信访材料.txt", "Evidence", letter.Length), ((string)file["sha256"]!, (string)file["name"]!, (string)file["kind"]!, (int)file["size"]!));
    }

    [Fact]
    public async Task People_of_unrelated_units_opening_the_ticket_are_told_it_is_not_found_and_offered_no_steps()
    {
        await using var app = await CaseApp.StartAsync(Start, kestrel: true, speed: Speed);
        var caseId = await HandledCaseAsync(app, "browser:ticket-refused");
        var created = await app.As("c-supervisor").PostJsonAsync("/api/tickets", new { caseId, agencyId = "c-housing", ground = "Stalling", problem = "多次推诿" }).OkAsync();
        var ticketId = (string?)created["id"] ?? Uri.UnescapeDataString(((string)created["statusUrl"]!).Split('/')[3]);
        await app.TicketWhenAsync("c-supervisor", ticketId, t => (string)t["status"]! == "Open", "the ticket raised by hand");
        await using var ui = await BrowserSession.StartAsync(app);

        // Another agency of the city, and a county supervisor (not above the city): the same 404 as for no ticket at all.
        foreach (var person in new[] { "c-hrss-officer", "ca-supervisor" })
        {
            var page = await ui.PageAsync(person);
            await page.GotoAsync(ui.Url($"/app/ticket.html?id={Uri.EscapeDataString(ticketId)}"));
            var refused = page.Locator("#ticket-refused[role='alert']");
            await Assertions.Expect(refused).ToContainTextAsync($"未找到督办单 {ticketId}，或您无权查看。");
            await Assertions.Expect(refused).ToContainTextAsync($"No ticket '{ticketId}' that you may see.");
            await Assertions.Expect(page.Locator("form[data-action]")).ToHaveCountAsync(0);
            await Assertions.Expect(page.Locator("#ticket-facts")).ToHaveCountAsync(0);
            await Assertions.Expect(page.Locator("#doc")).ToBeEmptyAsync();
            await Assertions.Expect(page.Locator("main")).Not.ToContainTextAsync("多次推诿");
            if (person == "c-hrss-officer")
            {
                await BrowserSession.CheckAsync(page, "ticket-refused");
            }

            Assert.Equal(HttpStatusCode.NotFound, (await app.As(person).GetAsync($"/api/tickets/{ticketId}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await app.As(person).PostJsonAsync($"/api/tickets/{ticketId}/acknowledge")).StatusCode);
        }

        // The agency's head sees it, with the agency's steps.
        var head = await ui.PageAsync("c-housing-head");
        await head.GotoAsync(ui.Url($"/app/ticket.html?id={Uri.EscapeDataString(ticketId)}"));
        await Assertions.Expect(head.Locator("form[data-action='acknowledge']")).ToBeVisibleAsync();
        await Assertions.Expect(head.Locator("form[data-action='respond']")).ToBeVisibleAsync();
        Assert.Equal("Open", (string)(await app.As("c-housing-head").GetJsonAsync($"/api/tickets/{ticketId}"))["status"]!);
    }

    /// <summary>A complaint registered by the city registrar, forwarded to the city housing bureau and accepted there.</summary>
    private static async Task<string> HandledCaseAsync(CaseApp app, string matter)
    {
        var registrar = app.As("c-registrar");
        var (caseId, _) = await registrar.RegisterAsync(app.Now, matter: $"{matter}:{Guid.NewGuid():N}");
        await registrar.Command(caseId, "route", new { kind = "Forward", agencyId = "c-housing" }).OkAsync();
        await app.As("c-housing-officer").Command(caseId, "accept").OkAsync();
        return caseId;
    }

    /// <summary>A minimal PDF: the store sniffs the type from the first bytes (<c>%PDF-</c>).</summary>
    private static byte[] Pdf(string title) =>
        Encoding.ASCII.GetBytes($"%PDF-1.4\n1 0 obj << /Title ({title}) /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
}
