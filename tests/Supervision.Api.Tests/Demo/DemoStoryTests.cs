using System.Text.Json.Nodes;
using Supervision.Api.Demo;
using Supervision.Api.Tests.Cases;
using Supervision.Api.Tests.Oversight;

namespace Supervision.Api.Tests.Demo;

/// <summary>
/// The demo `./scripts/run.sh` seeds tells its story within minutes at the demo clock (a legal day per real second):
/// every light, a ticket issued and escalated, a joint assignment waiting for approval, a rating and a leader alert
/// (README "Watching the demo" says whom to sign in as for each).
/// </summary>
[RunsLong]
public sealed class DemoStoryTests
{
    [Fact]
    public async Task The_seeded_demo_shows_every_light_an_escalated_ticket_a_joint_assignment_a_rating_and_a_leader_alert()
    {
        // The run command's defaults: one legal day per second, and the production alert policy (digest, escalation).
        await using var app = await CaseApp.StartAsync(
            new DateTimeOffset(2025, 9, 10, 1, 0, 0, TimeSpan.Zero), demo: true, speed: 86_400,
            settings: new Dictionary<string, string> { ["Supervision:Alerts:Digest"] = "true", ["Supervision:Alerts:AcknowledgeWithinHours"] = "4" });

        // A rating (XF-DEMO-0005) and a joint assignment both agencies agreed to, waiting for the conference office.
        var rated = await CaseApp.EventuallyAsync(
            async () => await app.As("c-registrar").GetAsync(new Uri("/api/cases/XF-DEMO-0005", UriKind.Relative)) is { IsSuccessStatusCode: true } r
                && JsonNode.Parse(await r.Content.ReadAsStringAsync()) is { } d && d["ratings"]?.AsArray().Count > 0 ? d : null,
            "the demo rating");
        Assert.Equal("Satisfied", (string)rated["ratings"]![0]!["rating"]!);
        var joint = await CaseApp.EventuallyAsync(
            async () => await app.As("c-conf-staff").GetAsync(new Uri($"/api/joint-assignments/{DemoSeeder.JointAssignmentId}", UriKind.Relative)) is { IsSuccessStatusCode: true } r
                && JsonNode.Parse(await r.Content.ReadAsStringAsync()) is { } j && (string?)j["status"] == "AwaitingApproval" ? j : null,
            "the joint assignment awaiting approval", TimeSpan.FromSeconds(90));
        Assert.Contains(DemoSeeder.JointAssignmentId, (await app.As("c-conf-staff").GetJsonAsync("/api/inbox/conference")).ToJsonString(), StringComparison.Ordinal);

        // XF-DEMO-0002 is never routed: its routing clock goes yellow, orange and red (XF-DEMO-0001 stays green meanwhile).
        var red = await CaseApp.EventuallyAsync(
            // The light is the view's reading of the clock; the legal record follows when the timer fires (later on a
            // loaded box), so wait for both: red, and the 超期 record (the earlier levels' timers fire before it).
            async () => await app.As("c-registrar").GetJsonAsync("/api/cases/XF-DEMO-0002") is { } d && (string?)d["light"] == "Red"
                && d["timeline"]!.AsArray().Any(e => (string?)e!["type"] == "ClockOverdue") ? d : null,
            "XF-DEMO-0002 red with its 超期 record", TimeSpan.FromSeconds(90));
        var timeline = red["timeline"]!.ToJsonString();
        foreach (var level in new[] { "ClockWarningRaised", "ClockCriticalRaised", "ClockOverdue" })
        {
            Assert.Contains(level, timeline, StringComparison.Ordinal);
        }

        Assert.Equal("Green", (string)(await app.As("c-housing-officer").GetJsonAsync("/api/cases/XF-DEMO-0001"))["light"]!);

        // The red clock raised a 督办单 against the bureau, and unanswered it escalates.
        async Task<JsonNode?> EscalatedTicketAsync()
        {
            foreach (var generation in new[] { 0, 1 }) // DB-{case}-{clock}-{generation of the clock}
            {
                if (await app.As("c-supervisor").GetAsync(new Uri($"/api/tickets/DB-XF-DEMO-0002-routing-{generation}", UriKind.Relative)) is { IsSuccessStatusCode: true } r
                    && JsonNode.Parse(await r.Content.ReadAsStringAsync()) is { } t && (int?)t["escalations"] > 0)
                {
                    return t;
                }
            }

            return null;
        }

        var ticket = await CaseApp.EventuallyAsync(EscalatedTicketAsync, "the escalated ticket", TimeSpan.FromSeconds(90));
        Assert.NotEqual("Written", (string)ticket["form"]!);

        // The leader in charge got the overdue alert, urgent, with a way to acknowledge it.
        var leaderAlert = await CaseApp.EventuallyAsync(
            async () => (await app.As("c-leader").GetJsonAsync("/api/mailbox")).AsArray()
                .FirstOrDefault(m => (string?)m!["urgency"] == "Urgent" && (string?)m["caseId"] == "XF-DEMO-0002"),
            "the leader's alert");
        Assert.Null(leaderAlert["acknowledgedAt"]);
        var alertId = (string)leaderAlert["alertId"]!;
        Assert.Contains((await app.As("c-leader").GetJsonAsync("/api/inbox/leader"))["unacknowledgedAlerts"]!.AsArray(), a => (string?)a!["alertId"] == alertId);

        // Acknowledged, it leaves the leader's list of alerts awaiting acknowledgement.
        await app.As("c-leader").PostAsync(new Uri($"/api/alerts/{Uri.EscapeDataString(alertId)}/ack", UriKind.Relative), null).OkAsync();
        Assert.DoesNotContain((await app.As("c-leader").GetJsonAsync("/api/inbox/leader"))["unacknowledgedAlerts"]!.AsArray(), a => (string?)a!["alertId"] == alertId);
    }
}
