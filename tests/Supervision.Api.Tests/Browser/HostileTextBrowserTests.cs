using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Supervision.Api.Tests.Cases;
using Supervision.Api.Tests.Oversight;

namespace Supervision.Api.Tests.Browser;

/// <summary>
/// Issue 15 item 6: what people type is shown as text. A petition whose summary — and the ticket's problem, the agency's
/// report and the supervisor's rejection reason — is markup is shown literally on every page that shows it (the case,
/// the ticket, the printable 督办单 and its draft) and never becomes markup anywhere (role pages, mailbox, dashboard,
/// the petitioner's portal): no element is injected, no dialog opens, and the Content-Security-Policy reports nothing.
/// </summary>
[RunsLong]
public sealed class HostileTextBrowserTests
{
    /// <summary>Monday 3 November 2025, 09:00 in Beijing: working days ahead, no holiday.</summary>
    private static readonly DateTimeOffset Start = new(2025, 11, 3, 1, 0, 0, TimeSpan.Zero);

    private const string Img = "<img src=x onerror=alert(1)>";
    private const string Summary = Img + " 小区电梯停运";
    private const string Problem = "<script>alert(2)</script>" + Img + " 推诿";
    private const string Report = "</td><svg onload=alert(3)>" + " 已整改";
    private const string Reason = "<b onmouseover=alert(4)>未验收</b>";
    private const string Unit = "<img src=x onerror=alert(5)>住建局";

    /// <summary>Collects what a page must never do: open a dialog, report a CSP violation, log a console error.</summary>
    private sealed class Watch
    {
        public List<string> Dialogs { get; } = [];

        public List<string> Violations { get; } = [];

        public static async Task<(IPage Page, Watch Watch)> OpenAsync(BrowserSession ui, string? person)
        {
            var page = await ui.PageAsync(person);
            var watch = new Watch();
            page.Dialog += async (_, d) =>
            {
                watch.Dialogs.Add($"{d.Type}: {d.Message}");
                await d.DismissAsync();
            };
            page.Console += (_, m) =>
            {
                if (m.Type == "error" && m.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
                {
                    watch.Violations.Add(m.Text);
                }
            };
            await page.AddInitScriptAsync(
                "document.addEventListener('securitypolicyviolation', (e) => (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI));");
            return (page, watch);
        }

        /// <summary>No injected element, no dialog, no violation (console or event) on <paramref name="page"/> so far.</summary>
        public async Task AssertCleanAsync(IPage page, string where)
        {
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            var injected = await page.EvaluateAsync<int>("document.querySelectorAll('img, svg[onload], b[onmouseover], main script').length");
            var events = await page.EvaluateAsync<string[]>("window.__csp || []");
            Assert.True(injected == 0, $"{where}: {injected} element(s) made from user text");
            Assert.True(Dialogs.Count == 0, $"{where}: dialog {string.Join("; ", Dialogs)}");
            Assert.True(Violations.Count == 0 && events.Length == 0, $"{where}: CSP {string.Join("; ", Violations.Concat(events).Distinct().Take(5))}");
        }
    }

    [Fact]
    public async Task Markup_typed_into_a_petition_and_its_ticket_is_shown_as_text_on_every_page_and_never_runs()
    {
        await using var app = await CaseApp.StartAsync(Start, kestrel: true, speed: 60);
        var (caseId, queryCode) = await RegisterAsync(app);
        await app.As("c-registrar").Command(caseId, "route", new { kind = "Forward", agencyId = "c-housing" }).OkAsync();
        await app.As("c-housing-officer").Command(caseId, "accept").OkAsync();
        var ticketId = await TicketAsync(app, caseId);
        await RenameAsync(app, "c-housing", Unit);
        await CaseApp.EventuallyAsync(
            async () => (string?)(await app.As("c-housing-officer").GetJsonAsync($"/api/cases/{caseId}"))["responsibleUnit"]?["name"] == Unit ? "yes" : null,
            "the unit's new name in the case");
        await using var ui = await BrowserSession.StartAsync(app);

        // The case page: the summary as text.
        var (officer, watch) = await Watch.OpenAsync(ui, "c-housing-officer");
        await officer.GotoAsync(ui.Url($"/app/case.html?id={Uri.EscapeDataString(caseId)}"));
        await Assertions.Expect(officer.Locator("#facts")).ToContainTextAsync(Summary);
        await Assertions.Expect(officer.Locator("#facts")).ToContainTextAsync(Unit);
        await watch.AssertCleanAsync(officer, "case page");

        // The ticket page and its printable 督办单: the summary, problem, report and rejection reason as text.
        var (supervisor, sWatch) = await Watch.OpenAsync(ui, "c-supervisor");
        await supervisor.GotoAsync(ui.Url($"/app/ticket.html?id={Uri.EscapeDataString(ticketId)}"));
        var facts = supervisor.Locator("#ticket-facts");
        await Assertions.Expect(facts).ToContainTextAsync(Problem);
        await Assertions.Expect(supervisor.Locator("#ticket-report")).ToHaveTextAsync(Report);
        await Assertions.Expect(supervisor.Locator("#ticket-rejection")).ToHaveTextAsync(Reason);
        await Assertions.Expect(supervisor.Locator("#ticket-timeline")).ToContainTextAsync(Report);
        await Assertions.Expect(supervisor.Locator("#ticket-timeline")).ToContainTextAsync(Reason);
        var doc = supervisor.Locator("#doc");
        await Assertions.Expect(doc).ToContainTextAsync(Summary);
        await Assertions.Expect(doc).ToContainTextAsync(Problem);
        await Assertions.Expect(doc).ToContainTextAsync(Unit);
        await supervisor.EmulateMediaAsync(new() { Media = Media.Print }); // as printed: the same text, still inert
        await Assertions.Expect(doc).ToContainTextAsync(Problem);
        await sWatch.AssertCleanAsync(supervisor, "ticket page");
        await supervisor.EmulateMediaAsync(new() { Media = Media.Screen });

        // The draft 督办单 drawn from the case alone.
        await supervisor.GotoAsync(ui.Url($"/app/ticket.html?case={Uri.EscapeDataString(caseId)}"));
        await Assertions.Expect(supervisor.Locator("#doc")).ToContainTextAsync(Summary);
        await sWatch.AssertCleanAsync(supervisor, "draft 督办单");

        // The home and every role page list the case, the ticket or the person's alerts without making markup of anything.
        foreach (var (person, path, shows) in new[]
        {
            ("c-registrar", "/app/", "#routing"), // the home (its script is a file now) sends a bureau registrar to register.html
            ("c-housing-officer", "/app/agency.html", $"#list tr[data-id='{caseId}']"),
            ("c-housing-officer", "/app/mailbox.html", "#mail"),
            ("c-supervisor", "/app/supervisor.html", $"#tickets tr[data-ticket='{ticketId}']"),
            ("c-conf-staff", "/app/conference.html", "#approvals"),
            ("c-leader", "/app/leader.html", "#score-table"),
        })
        {
            var (page, w) = await Watch.OpenAsync(ui, person);
            await page.GotoAsync(ui.Url(path));
            // 15 s as the other browser tests wait: the leader page computes the scorecard from every recorded event.
            await Assertions.Expect(page.Locator(shows).First).ToBeVisibleAsync(new() { Timeout = 15_000 });
            if (path.EndsWith("leader.html", StringComparison.Ordinal))
            {
                // The unit's name as a table cell, an axis label of the chart (SVG text) and in its tooltip, drawn without HTML.
                await Assertions.Expect(page.Locator("#score-table")).ToContainTextAsync(Unit);
                await Assertions.Expect(page.Locator("#chart svg")).ToHaveCountAsync(1);
                await Assertions.Expect(page.Locator("#chart svg")).ToContainTextAsync(Unit);
                var box = (await page.Locator("#chart svg").BoundingBoxAsync())!;
                for (var x = 0.1f; x < 1; x += 0.1f)
                {
                    await page.Mouse.MoveAsync(box.X + (box.Width * x), box.Y + (box.Height / 2));
                }
            }

            await w.AssertCleanAsync(page, path);
            await page.Context.CloseAsync();
        }

        // The petitioner's portal, with the query code.
        var (portal, pWatch) = await Watch.OpenAsync(ui, null);
        await portal.GotoAsync(ui.Url("/portal/"));
        await portal.GetByLabel("事项编号").FillAsync(caseId);
        await portal.GetByLabel("查询码").FillAsync(queryCode);
        await portal.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        await Assertions.Expect(portal.Locator("#progress")).ToBeVisibleAsync();
        await pWatch.AssertCleanAsync(portal, "portal");

        // And the text was stored as typed: it is the pages that must not interpret it.
        var stored = await app.As("c-supervisor").GetJsonAsync($"/api/tickets/{ticketId}");
        Assert.Equal((Problem, Report, Reason), ((string)stored["problem"]!, (string)stored["report"]!, (string)stored["lastRejection"]!));
    }

    /// <summary>An administrator renames a unit (PUT /api/org/units/{id} with the directory's ETag).</summary>
    private static async Task RenameAsync(CaseApp app, string unitId, string name)
    {
        var admin = app.As("admin");
        using var org = await admin.GetAsync(new Uri("/api/org", UriKind.Relative));
        var unit = (await org.JsonAsync())["units"]!.AsArray().Single(u => (string)u!["id"]! == unitId)!.DeepClone();
        unit["name"] = name;
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/org/units/{unitId}") { Content = JsonContent.Create(unit) };
        put.Headers.TryAddWithoutValidation("If-Match", org.Headers.ETag!.Tag);
        await admin.SendAsync(put).OkAsync();
    }

    /// <summary>A complaint whose summary and petitioner name are markup, registered by the city registrar.</summary>
    private static async Task<(string Id, string QueryCode)> RegisterAsync(CaseApp app)
    {
        var json = await app.As("c-registrar").PostAsJsonAsync("/api/cases", new
        {
            channel = "Letter",
            receivedAt = Cases.Api.Utc(app.Now),
            unitId = "c-bureau",
            petitioner = new { name = Img, phone = "13800000000", address = Img },
            summary = Summary,
            matterKey = "browser:hostile:" + Guid.NewGuid().ToString("N")[..8],
            category = "Complaint",
        }).OkAsync();
        return ((string)json["case"]!["id"]!, (string)json["queryCode"]!);
    }

    /// <summary>A ticket raised by hand with a markup problem, answered with a markup report and rejected with a markup reason.</summary>
    private static async Task<string> TicketAsync(CaseApp app, string caseId)
    {
        var created = await app.As("c-supervisor").PostJsonAsync("/api/tickets", new { caseId, agencyId = "c-housing", ground = "Stalling", problem = Problem }).OkAsync();
        var ticketId = (string?)created["id"] ?? Uri.UnescapeDataString(((string)created["statusUrl"]!).Split('/')[3]);
        await app.TicketWhenAsync("c-supervisor", ticketId, t => (string)t["status"]! == "Open", "the ticket raised by hand");
        var officer = app.As("c-housing-officer");
        await officer.PostJsonAsync($"/api/tickets/{ticketId}/acknowledge").OkAsync();
        await app.TicketWhenAsync("c-supervisor", ticketId, t => (string)t["status"]! == "Acknowledged", "the ticket signed");
        await officer.PostJsonAsync($"/api/tickets/{ticketId}/respond", new { report = Report }).OkAsync();
        await app.TicketWhenAsync("c-supervisor", ticketId, t => (string)t["status"]! == "Responded", "the ticket answered");
        await app.As("c-supervisor").PostJsonAsync($"/api/tickets/{ticketId}/reject", new { reason = Reason }).OkAsync();
        await app.TicketWhenAsync("c-supervisor", ticketId, t => (string?)t["lastRejection"] == Reason, "the answer rejected");
        return ticketId;
    }
}
