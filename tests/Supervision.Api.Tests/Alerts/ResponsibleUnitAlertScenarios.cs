using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Supervision.Api.Tests.Cases;
using Supervision.Domain.Alerts;
using Supervision.Orchestrations;

namespace Supervision.Api.Tests.Alerts;

/// <summary>
/// Issue 15.5: a complaint forwarded to 东城县自然资源局 (ca-land), a unit that is also the accused unit of an
/// accusation. Under the default alert policy (the morning digest on), the unit's people must find that complaint's
/// reminders and warnings in <c>/api/mailbox</c>, one row per alert carrying the case id, before and after acceptance —
/// while nothing about the accusation ever reaches them.
/// </summary>
public sealed class ResponsibleUnitAlertScenarios
{
    private static readonly string[] LandPeople = ["ca-land-officer", "ca-land-head"];

    private static Dictionary<string, string> DefaultPolicy() => new()
    {
        // The production default (docs/alerts.md): routine alerts go through the morning digest; no escalation, so the
        // urgent overdue alerts stay in-line and the scenario counts nothing else.
        ["Supervision:Alerts:Digest"] = "true",
        ["Supervision:Alerts:AcknowledgeWithinHours"] = "0",
    };

    private static async Task<JsonArray> MailboxAsync(CaseApp app, string person) =>
        (await app.As(person).GetAsync(new Uri("/api/mailbox", UriKind.Relative)).OkAsync()).AsArray();

    /// <summary>
    /// The first mailbox row of <paramref name="person"/> for <paramref name="caseId"/> of <paramref name="kind"/> on the
    /// clock whose rule is <paramref name="rule"/>; on time-out the failure lists what the mailbox held instead.
    /// </summary>
    private static async Task<JsonNode> CaseAlertAsync(CaseApp app, string person, string caseId, string kind, string rule, TimeSpan? timeout = null)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(180); // a bound, not a speed claim: an alert whose delivery is retried on a loaded 2-core box lands later
        while (true)
        {
            var mailbox = await MailboxAsync(app, person);
            if (mailbox.FirstOrDefault(m => (string?)m!["caseId"] == caseId && (string?)m["kind"] == kind
                && ((string?)m["subject"] ?? "").Contains(rule, StringComparison.Ordinal)) is { } found)
            {
                return found;
            }

            if (started.Elapsed > limit)
            {
                var failed = await (await app.As("admin").GetAsync(new Uri("/api/ops/failed-effects", UriKind.Relative))).Content.ReadAsStringAsync();
                var events = await (await app.As("admin").GetAsync(new Uri($"/api/ops/instances/{caseId}/events?type=case", UriKind.Relative))).Content.ReadAsStringAsync();
                Assert.Fail($"Timed out after {limit.TotalSeconds:0} s (legal time {app.Now:O}) waiting for {person}: {kind} ({rule}) of {caseId} in /api/mailbox, which holds: "
                    + string.Join(" | ", mailbox.Select(m => $"{m!["alertId"]} {m["kind"]} caseId={m["caseId"]} 「{m["subject"]}」"))
                    + $"; failed effects: {failed}; the case's events: {events}");
            }

            await Task.Delay(100);
        }
    }

    private static async Task AssertNothingAboutAsync(CaseApp app, string caseId)
    {
        foreach (var person in LandPeople)
        {
            foreach (var m in await MailboxAsync(app, person))
            {
                var text = $"{m!["caseId"]} {m["subject"]} {m["body"]} {m["link"]} {m["sourceInstanceId"]}";
                Assert.DoesNotContain(caseId, text, StringComparison.Ordinal);
            }
        }
    }

    /// <summary>Whether the case's timeline has <paramref name="eventType"/> for its clock <paramref name="clock"/>.</summary>
    private static async Task<bool> RaisedAsync(CaseApp app, string caseId, string eventType, string clock) =>
        (await app.Services.GetRequiredService<DecisionStore>().ReadEventsAsync("case", caseId))
            .Any(e => e.EventType == eventType && e.Data.Contains($"\"name\":\"{clock}\"", StringComparison.Ordinal));

    [Fact]
    public async Task A_complaint_forwarded_to_a_unit_accused_elsewhere_reaches_its_people_before_and_after_acceptance()
    {
        // 09:00 on Monday 13 October 2025 (after the National Day holiday, which would leave a short clock no room for its
        // 提醒), two legal days per real second.
        await using var app = await CaseApp.StartAsync(new DateTimeOffset(2025, 10, 13, 1, 0, 0, TimeSpan.Zero), settings: DefaultPolicy());
        var registrar = app.As("ca-registrar");

        // The accusation against ca-land goes to the county housing bureau; ca-land never hears of it.
        var (accusation, _) = await registrar.RegisterAsync(
            app.Now, matter: "land:approval:plot-7", category: "Accusation", unit: "ca-bureau", accusedUnit: "ca-land", petitioner: "李四");
        await registrar.Command(accusation, "route", new { kind = "Forward", agencyId = "ca-housing" }).OkAsync();

        // The complaint goes to ca-land itself, which must now answer for it.
        var (complaint, _) = await registrar.RegisterAsync(app.Now, matter: "land:boundary:plot-9", unit: "ca-bureau");
        await registrar.Command(complaint, "route", new { kind = "Forward", agencyId = "ca-land" }).OkAsync();
        await app.CaseWhenAsync("ca-land-officer", complaint, d => (string?)d["status"] == "Routed", "the complaint, visible to ca-land");

        // Before acceptance: the acceptance clock's 预警 (to the officer and the head) and, when the calendar leaves room
        // for one, its 提醒 (to the officer), each its own row with the case id, delivered with the morning digest.
        const string Acceptance = "受理告知";
        await CaseAlertAsync(app, "ca-land-officer", complaint, "deadline.warning", Acceptance);
        var warning = await CaseAlertAsync(app, "ca-land-head", complaint, "deadline.warning", Acceptance);
        Assert.Equal("Routine", (string)warning["urgency"]!);
        Assert.Contains(complaint, (string)warning["link"]!, StringComparison.Ordinal);
        if (await RaisedAsync(app, complaint, "ClockReminderRaised", "acceptance"))
        {
            await CaseAlertAsync(app, "ca-land-officer", complaint, "deadline.reminder", Acceptance);
        }

        // The digest message itself is its own delivery, which may land a moment after the rows it carries.
        await CaseApp.EventuallyAsync(
            async () => (await MailboxAsync(app, "ca-land-head")).FirstOrDefault(m => (string?)m!["kind"] == "digest.daily"),
            "the head's digest message");

        // After acceptance: the handling clock's 提醒 and 预警 reach the same people.
        await app.As("ca-land-officer").Command(complaint, "accept").OkAsync();
        const string Handling = "办理期限";
        await CaseAlertAsync(app, "ca-land-officer", complaint, "deadline.reminder", Handling);
        await CaseAlertAsync(app, "ca-land-officer", complaint, "deadline.warning", Handling);
        await CaseAlertAsync(app, "ca-land-head", complaint, "deadline.warning", Handling);

        // The accusation's alerts went to ca-housing; none of ca-land's rows (per alert or digest) names it.
        await CaseAlertAsync(app, "ca-housing-officer", accusation, "deadline.warning", Acceptance);
        await AssertNothingAboutAsync(app, accusation);
    }

    [Fact]
    public async Task Alerts_held_for_the_digest_reach_the_unit_after_the_service_restarts()
    {
        // 10:00 on Friday 12 September 2025 at three legal hours per real second: the complaint's routing alert is held
        // for Monday's digest, and the service restarts over the weekend, on the same storage, before it goes out.
        var prefix = Supervision.Testing.TestStorage.UniqueName("e");
        var monday = new DateTimeOffset(2025, 9, 15, 9, 0, 0, TimeSpan.FromHours(8));
        string complaint;
        DateTimeOffset stoppedAt;
        await using (var first = await CaseApp.StartAsync(new DateTimeOffset(2025, 9, 12, 2, 0, 0, TimeSpan.Zero), speed: 3 * 3600, settings: DefaultPolicy(), prefix: prefix))
        {
            var registrar = first.As("ca-registrar");
            (complaint, _) = await registrar.RegisterAsync(first.Now, matter: "land:boundary:plot-11", unit: "ca-bureau");
            await registrar.Command(complaint, "route", new { kind = "Forward", agencyId = "ca-land" }).OkAsync();

            // Stopped once the alert is held (an effect still in flight when a host stops waits out its queue message's
            // visibility, which is the engine's business, not the digest's).
            var store = first.Services.GetRequiredService<DecisionStore>();
            await CaseApp.EventuallyAsync(
                async () => (await store.ReadEventsAsync(DigestDecider.Type, "digest-2025-09-15"))
                    .FirstOrDefault(e => e.EventType == nameof(AlertHeld) && e.Data.Contains(complaint, StringComparison.Ordinal)),
                "the routing alert held for Monday's digest");
            stoppedAt = first.Now;
        }

        Assert.True(stoppedAt < monday, $"the steps took until {stoppedAt:O}: this machine is too slow for the scenario");
        await using var second = await CaseApp.StartAsync(stoppedAt, speed: 3 * 3600, settings: DefaultPolicy(), prefix: prefix);
        var routed = await CaseAlertAsync(second, "ca-land-head", complaint, "case.routed", complaint);
        Assert.Equal(true, (bool?)routed["digested"]);
        Assert.Contains(await MailboxAsync(second, "ca-land-officer"), m => (string?)m!["caseId"] == complaint && (string?)m["kind"] == "case.routed");
        Assert.Contains(await MailboxAsync(second, "ca-land-head"), m => (string?)m!["alertId"] == "digest/2025-09-15/ca-land-head");
        var sent = Assert.Single(
            await second.Services.GetRequiredService<DecisionStore>().ReadEventsAsync(DigestDecider.Type, "digest-2025-09-15"), e => e.EventType == nameof(DigestSent));
        Assert.Equal(monday, sent.At);
    }
}
