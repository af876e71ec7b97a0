using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Supervision.Api.Tests.Cases;

namespace Supervision.Api.Tests.Oversight;

/// <summary>
/// A red case clock raises a supervision ticket (督办单) that climbs the ladder unanswered (文书 → 约谈 → 实地 → 提请联席会议),
/// is listed (挂牌督办) by the conference office, answered, accepted and closed; alerts reach exactly the people of each
/// step; the month's scorecard matches a hand count of the same recorded events.
/// </summary>
[RunsLong]
public sealed class TicketLadderScenarios
{
    /// <summary>Monday 3 November 2025, 09:00 in Beijing: no holiday until the ladder is done.</summary>
    private static readonly DateTimeOffset Start = new(2025, 11, 3, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_red_case_is_supervised_up_the_ladder_listed_by_the_conference_office_answered_and_closed_and_scored()
    {
        await using var app = await CaseApp.StartAsync(Start);
        var registrar = app.As("c-registrar");
        var officer = app.As("c-housing-officer");
        var supervisor = app.As("c-supervisor");
        var conference = app.As("c-conf-staff");

        // An accusation against c-hrss, forwarded to c-housing, which never accepts it: the acceptance clock goes red.
        var (caseId, _) = await registrar.RegisterAsync(app.Now, matter: "housing:repair:block-7", category: "Accusation", accusedUnit: "c-hrss");
        await registrar.Command(caseId, "route", new { kind = "Forward", agencyId = "c-housing" }).OkAsync();

        // The case raises a ticket to the agency by itself, found in the agency's inbox.
        var inbox = await CaseApp.EventuallyAsync<JsonNode>(async () =>
        {
            var i = await officer.GetJsonAsync("/api/inbox/agency");
            return i["tickets"]!.AsArray().Any(t => (string)t!["caseId"]! == caseId) ? i : null;
        }, "the automatic ticket in c-housing's inbox");
        var ticketId = (string)inbox["tickets"]!.AsArray().Single(t => (string)t!["caseId"]! == caseId)!["id"]!;
        var link = $"/tickets/{ticketId}";

        var raised = await supervisor.GetJsonAsync(link.Replace("/tickets", "/api/tickets", StringComparison.Ordinal));
        Assert.Equal("Open", (string)raised["status"]!);
        Assert.Equal("Written", (string)raised["form"]!);
        Assert.Equal("Overdue", (string)raised["ground"]!);
        Assert.Equal("acceptance", (string)raised["clockName"]!);
        Assert.Equal("c-housing", (string)raised["agency"]!["id"]!);
        Assert.Equal("c-bureau", (string)raised["bureau"]!["id"]!);
        Assert.NotEmpty(raised["response"]!["explanation"]!.AsArray());
        Assert.Contains("督办答复期限", (string)raised["response"]!["rule"]!, StringComparison.Ordinal);

        // The ticket is recorded at the instant the acceptance clock went red, which is its due instant.
        var red = await app.CaseWhenAsync("c-supervisor", caseId, d => d.EventTypes().Contains("ClockOverdue"), "the red acceptance clock");
        var overdue = red.Timeline("ClockOverdue").Single(e => (string)e["data"]!["name"]! == "acceptance");
        Assert.Equal(OversightApi.Instant(red.Clock("acceptance")["dueInstant"]), OversightApi.Instant(overdue["at"]));
        Assert.Equal(OversightApi.Instant(overdue["at"]), OversightApi.Instant(raised.Timeline("TicketRaised").Single()["at"]));

        // Acknowledging is not answering.
        var acknowledged = await officer.PostJsonAsync($"/api/tickets/{ticketId}/acknowledge").OkAsync();
        Assert.Equal("Acknowledged", (string)acknowledged["status"]!);

        // Unanswered, it climbs one form per missed deadline, each step recorded at the deadline it missed.
        var referred = await app.TicketWhenAsync("c-supervisor", ticketId, t => (string)t["form"]! == "ConferenceReferral", "referral to the conference office", TimeSpan.FromSeconds(120));
        var steps = referred.Timeline("TicketEscalated").ToList();
        Assert.Equal(["Interview", "OnSite", "ConferenceReferral"], steps.Select(e => (string)e["data"]!["to"]!));
        Assert.All(steps, e => Assert.Equal("Unanswered", (string)e["data"]!["cause"]!));
        var missed = OversightApi.Instant(referred.Timeline("TicketRaised").Single()["data"]!["response"]!["dueInstant"]);
        foreach (var step in steps)
        {
            Assert.Equal(missed, OversightApi.Instant(step["at"]));
            missed = OversightApi.Instant(step["data"]!["response"]!["dueInstant"]);
        }

        Assert.Equal(3, (int)referred["escalations"]!);

        // The inboxes: the leader sees the escalation and the red case; the conference office sees the referral.
        var leader = await app.As("c-leader").GetJsonAsync("/api/inbox/leader");
        Assert.Contains(ticketId, leader["escalations"].Ids());
        Assert.Contains(caseId, leader["overdueCases"].Ids());
        var office = await conference.GetJsonAsync("/api/inbox/conference");
        Assert.Contains(ticketId, office["referrals"].Ids());
        Assert.DoesNotContain(ticketId, office["listed"].Ids());

        // Only the conference office decides; it lists the case (挂牌督办), and the case records it.
        Assert.Equal(HttpStatusCode.Forbidden, (await supervisor.PostJsonAsync($"/api/tickets/{ticketId}/conference-decision", new { listed = true })).StatusCode);
        var listed = await conference.PostJsonAsync($"/api/tickets/{ticketId}/conference-decision", new { listed = true, note = "挂牌督办" }).OkAsync();
        Assert.True((bool)listed["listed"]!);
        Assert.Contains(ticketId, (await conference.GetJsonAsync("/api/inbox/conference"))["listed"].Ids());
        await app.CaseWhenAsync("c-supervisor", caseId, d => d.EventTypes().Contains("SupervisionMarked"), "the 挂牌 mark on the case");

        // The agency responds; the supervisor (not the agency) accepts; the ticket closes.
        var responded = await officer.PostJsonAsync($"/api/tickets/{ticketId}/respond", new { report = "已受理并完成整改", files = new[] { "rpt-1@sha256:" + new string('a', 64) } }).OkAsync();
        Assert.Equal("Responded", (string)responded["status"]!);
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.PostJsonAsync($"/api/tickets/{ticketId}/accept")).StatusCode);
        var closed = await supervisor.PostJsonAsync($"/api/tickets/{ticketId}/accept", new { comment = "同意" }).OkAsync();
        Assert.Equal("Closed", (string)closed["status"]!);
        Assert.Equal("ResponseAccepted", (string)closed["closeReason"]!);
        Assert.DoesNotContain(ticketId, (await officer.GetJsonAsync("/api/inbox/agency"))["tickets"].Ids());

        // The accused unit (and an unrelated agency) cannot see the ticket: 404, as for a ticket that does not exist.
        foreach (var outsider in new[] { "c-hrss-officer", "c-hrss-head", "ca-housing-officer" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await app.As(outsider).GetAsync(new Uri($"/api/tickets/{ticketId}", UriKind.Relative))).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await app.As(outsider).PostJsonAsync($"/api/tickets/{ticketId}/accept")).StatusCode);
        }

        // Alerts: each step reached its audience, one level higher per form, and nobody else.
        await app.AlertAsync("c-supervisor", link, "ticket.responded");
        await app.AlertAsync("c-conf-staff", link, "ticket.conference-decided");
        Assert.Superset(new HashSet<string> { "ticket.raised", "ticket.escalated", "ticket.conference-decided" }, await app.AlertKindsAsync("c-housing-officer", link));
        Assert.Superset(new HashSet<string> { "ticket.raised", "ticket.escalated", "ticket.conference-decided" }, await app.AlertKindsAsync("c-housing-head", link));
        Assert.Superset(new HashSet<string> { "ticket.raised", "ticket.escalated", "ticket.responded" }, await app.AlertKindsAsync("c-supervisor", link));
        var leaderAlerts = await app.AlertKindsAsync("c-leader", link);
        Assert.Contains("ticket.escalated", leaderAlerts);
        Assert.DoesNotContain("ticket.raised", leaderAlerts); // 文书督办 does not reach the government's leader
        var officeAlerts = await app.AlertKindsAsync("c-conf-staff", link);
        Assert.Contains("ticket.escalated", officeAlerts);
        Assert.DoesNotContain("ticket.raised", officeAlerts);
        foreach (var nobody in new[] { "c-hrss-officer", "c-hrss-head", "ca-housing-officer", "ca-supervisor", "p-supervisor", "p-conf-staff" })
        {
            Assert.Empty(await app.AlertKindsAsync(nobody, link));
        }

        await ScorecardMatchesHandCount(app, caseId, ticketId);
    }

    /// <summary>The scorecard of each month of the flow equals a count made here from the recorded case and ticket events.</summary>
    private static async Task ScorecardMatchesHandCount(CaseApp app, string caseId, string ticketId)
    {
        var supervisor = app.As("c-supervisor");
        var caseEvents = (await supervisor.GetJsonAsync($"/api/cases/{caseId}"))["timeline"]!.AsArray().Select(e => e!).ToList();
        var ticketEvents = (await supervisor.GetJsonAsync($"/api/tickets/{ticketId}"))["timeline"]!.AsArray().Select(e => e!).ToList();
        static string Month(JsonNode e) => OversightApi.Month(OversightApi.Instant(e["at"]));
        static string Type(JsonNode e) => (string)e["type"]!;

        // Duties of c-housing: acceptance-type clocks counted in the month of their due date, on time when stopped by then.
        var started = caseEvents.Where(e => Type(e) == "ClockStarted" && (string)e["data"]!["clock"]!["responsibleUnitId"]! == "c-housing"
            && (string)e["data"]!["clock"]!["name"]! is "acceptance" or "routing").Select(e => e["data"]!["clock"]!).ToList();
        // Every month in which something of c-housing's was recorded or fell due (a loaded machine moves the flow across months).
        var months = ticketEvents.Select(Month)
            .Concat(started.Select(c => OversightApi.Month(OversightApi.Instant(c["dueInstant"]).AddTicks(-1))))
            .Concat(caseEvents.Where(e => Type(e) == "ClockOverdue" && (string)e["data"]!["name"]! == "acceptance").Select(Month))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        foreach (var month in months)
        {
            var card = await supervisor.GetJsonAsync($"/api/scorecard?month={month}&unit=c-housing");
            Assert.Equal(month, (string)card["month"]!);
            var row = card["units"]!.AsArray().SingleOrDefault();

            var dueHere = started.Where(c => OversightApi.Month(OversightApi.Instant(c["dueInstant"]).AddTicks(-1)) == month).ToList();
            var onTime = dueHere.Count(c => caseEvents.Any(e => Type(e) == "ClockStopped" && (string)e["data"]!["name"]! == (string)c["name"]!
                && OversightApi.Instant(e["data"]!["at"]) <= OversightApi.Instant(c["dueInstant"])));
            var redHere = caseEvents.Any(e => Type(e) == "ClockOverdue" && Month(e) == month && (string)e["data"]!["name"]! == "acceptance") ? 1 : 0;
            var raisedHere = ticketEvents.Count(e => Type(e) == "TicketRaised" && Month(e) == month);
            var formsHere = ticketEvents.Where(e => Month(e) == month && Type(e) is "TicketRaised" or "TicketEscalated")
                .Select(e => (string)e["data"]![Type(e) == "TicketRaised" ? "form" : "to"]!).GroupBy(f => f).ToDictionary(g => g.Key, g => g.Count());
            var lateHere = ticketEvents.Count(e => Type(e) == "TicketResponded" && Month(e) == month && (bool)e["data"]!["late"]!);

            if (row is null)
            {
                // No row: nothing of c-housing's counted this month, by hand either.
                Assert.Equal(0, dueHere.Count + redHere + raisedHere + formsHere.Count + lateHere);
                continue;
            }

            Assert.Equal(dueHere.Count, (int)row["acceptanceDue"]!);
            Assert.Equal(onTime, (int)row["acceptanceOnTime"]!);
            Assert.Equal(redHere, (int)row["redCases"]!);
            Assert.Equal(raisedHere, (int)row["ticketsRaised"]!);
            Assert.Equal(lateHere, (int)row["ticketsAnsweredLate"]!);
            foreach (var form in new[] { "Written", "Interview", "OnSite", "ConferenceReferral" })
            {
                Assert.Equal(formsHere.GetValueOrDefault(form), (int)row["ticketsByForm"]![form]!);
            }
        }

        // The month the ticket was raised: a red case and a ticket — so c-housing is on the 黄榜 that month.
        var raisedMonth = Month(ticketEvents.Single(e => Type(e) == "TicketRaised"));
        var named = (await supervisor.GetJsonAsync($"/api/scorecard?month={raisedMonth}&unit=c-housing"))["units"]![0]!;
        Assert.Equal(1, (int)named["ticketsRaised"]!);
        Assert.Equal("Yellow", (string)named["list"]!);

        // CSV with a BOM (Excel reads it as UTF-8), and XLSX.
        var csv = await supervisor.GetAsync(new Uri($"/api/scorecard?month={raisedMonth}&format=csv", UriKind.Relative));
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var bytes = await csv.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var text = Encoding.UTF8.GetString(bytes[3..]);
        Assert.StartsWith("单位编码,单位名称,月份,", text, StringComparison.Ordinal);
        Assert.Contains($"\r\nc-housing,临川市住房和城乡建设局,{raisedMonth},", text, StringComparison.Ordinal);
        var xlsx = await supervisor.GetAsync(new Uri($"/api/scorecard?month={raisedMonth}&format=xlsx", UriKind.Relative));
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx.Content.Headers.ContentType!.MediaType);
        Assert.Equal("PK"u8.ToArray(), (await xlsx.Content.ReadAsByteArrayAsync())[..2]);

        // Agency staff do not read the scorecard.
        Assert.Equal(HttpStatusCode.Forbidden, (await app.As("c-housing-officer").GetAsync(new Uri("/api/scorecard?month=2025-11", UriKind.Relative))).StatusCode);
    }
}
