using System.Net;
using System.Text.Json.Nodes;
using Azure.Core;
using DurableTask.Core.History;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Supervision.Api.Tests.Cases;
using Supervision.Api.Tests.Oversight;
using Supervision.Domain.Alerts;
using Supervision.Orchestrations;

namespace Supervision.Api.Tests.Alerts;

/// <summary>
/// The alert policy end to end on the standalone host (Durable Task on Azurite, accelerated clock): the morning digest,
/// escalation until acknowledged, Graph's Retry-After on a durable timer, and refused deliveries re-sent by an
/// administrator. The deciders' rules are tested in Supervision.Domain.Tests/Alerts.
/// </summary>
public sealed class AlertPolicyScenarios
{
    private static Dictionary<string, string> Policy(bool digest, double acknowledgeWithinHours) => new()
    {
        ["Supervision:Alerts:Digest"] = digest ? "true" : "false",
        ["Supervision:Alerts:AcknowledgeWithinHours"] = acknowledgeWithinHours.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static async Task<JsonArray> MailboxAsync(CaseApp app, string person) =>
        (await app.As(person).GetAsync(new Uri("/api/mailbox", UriKind.Relative)).OkAsync()).AsArray();

    private static Task<JsonNode> ItemAsync(CaseApp app, string person, Func<JsonNode, bool> match, string what) =>
        CaseApp.EventuallyAsync(async () => (await MailboxAsync(app, person)).FirstOrDefault(m => match(m!)), what);

    [Fact]
    public async Task Routine_alerts_wait_for_one_digest_per_person_at_nine_on_the_first_working_day_after_the_holiday()
    {
        // 20:00 on 30 September 2025, the eve of the National Day holiday (1–8 October); six legal hours per real second,
        // so the steps below (each a real round trip through the engine, slower on a busy machine) all land in the holiday.
        var eve = new DateTimeOffset(2025, 9, 30, 12, 0, 0, TimeSpan.Zero);
        await using var app = await CaseApp.StartAsync(eve, speed: 6 * 3600, settings: Policy(digest: true, acknowledgeWithinHours: 0));
        var registrar = app.As("c-registrar");
        var (first, _) = await registrar.RegisterAsync(app.Now, matter: "alerts:digest:1");
        var (second, _) = await registrar.RegisterAsync(app.Now, matter: "alerts:digest:2", petitioner: "李四");
        await registrar.Command(first, "route", new { kind = "Forward", agencyId = "c-housing" }).OkAsync();
        await registrar.Command(second, "route", new { kind = "Forward", agencyId = "c-housing" }).OkAsync();

        // Both "new case routed" alerts (routine) reach the agency head in one message, on 9 October at 09:00.
        Assert.True(app.Now < new DateTimeOffset(2025, 10, 8, 0, 0, 0, TimeSpan.Zero), $"the steps took until {app.Now:O}: this machine is too slow for the scenario");
        var digest = await CaseApp.EventuallyAsync(
            async () => (await MailboxAsync(app, "c-housing-head")).FirstOrDefault(m => (string?)m!["kind"] == "digest.daily"),
            "the agency head's digest", TimeSpan.FromSeconds(120));
        Assert.Equal("digest/2025-10-09/c-housing-head", (string)digest["alertId"]!);
        Assert.Contains(first, (string)digest["body"]!, StringComparison.Ordinal);
        Assert.Contains(second, (string)digest["body"]!, StringComparison.Ordinal);

        // The digest went out at 09:00 on 9 October by the legal record (the decision's instant is the timer's due time;
        // at a legal day per real second a queue's one-second timer granularity shows as hours on the wall clock).
        var store = app.Services.GetRequiredService<DecisionStore>();
        var sent = Assert.Single(await store.ReadEventsAsync(DigestDecider.Type, "digest-2025-10-09"), e => e.EventType == nameof(DigestSent));
        Assert.Equal(new DateTimeOffset(2025, 10, 9, 9, 0, 0, TimeSpan.FromHours(8)), sent.At);
        Assert.Empty((await store.ReadEventsAsync(DigestDecider.Type, "digest-2025-10-01")).Concat(await store.ReadEventsAsync(DigestDecider.Type, "digest-2025-10-08")));

        // Nothing arrived one by one, and nothing during the holiday: the head's mailbox holds one digest per day, and
        // each alert it carried, filed with it under the alert's own id and case id (decision A15).
        var head = await MailboxAsync(app, "c-housing-head");
        Assert.Single(head, m => (string?)m!["alertId"] == "digest/2025-10-09/c-housing-head");
        Assert.All(head.Where(m => (string?)m!["kind"] != "digest.daily"), m => Assert.True((bool?)m!["digested"] ?? false, $"{m["alertId"]} was sent on its own"));
        foreach (var id in new[] { first, second })
        {
            var filed = Assert.Single(head, m => (string?)m!["kind"] == "case.routed" && (string?)m["caseId"] == id)!;
            // Filed by the digest's own decision; its delivery time is the accelerated wall clock's reading, which a
            // queue timer's one-second granularity can put hours before 09:00 — but never back in the holiday.
            var filedAt = filed["deliveredAt"]!.GetValue<DateTimeOffset>();
            Assert.True(filedAt > new DateTimeOffset(2025, 10, 8, 12, 0, 0, TimeSpan.FromHours(8)), $"{filed["alertId"]} filed at {filedAt:O}, during the holiday");
            Assert.Equal("digest", (string?)filed["sourceType"]);
        }
        var officer = await ItemAsync(app, "c-housing-officer", m => (string?)m["kind"] == "digest.daily", "the officer's digest");
        Assert.Equal("digest/2025-10-09/c-housing-officer", (string)officer["alertId"]!);
    }

    [Fact]
    public async Task An_urgent_alert_nobody_acknowledges_goes_one_level_up_and_an_acknowledged_one_does_not()
    {
        // Two legal days per real second; an urgent alert may go unacknowledged for ten legal days (five real seconds).
        await using var app = await CaseApp.StartAsync(new DateTimeOffset(2025, 9, 10, 1, 0, 0, TimeSpan.Zero), settings: Policy(digest: false, acknowledgeWithinHours: 240));
        var registrar = app.As("c-registrar");
        var (acked, _) = await registrar.RegisterAsync(app.Now, matter: "alerts:ack:1");
        var (ignored, _) = await registrar.RegisterAsync(app.Now, matter: "alerts:ack:2", petitioner: "李四");

        // Nobody routes them: the 15-day routing clocks run out and the overdue alerts (urgent) reach the supervisor.
        bool Overdue(JsonNode m, string id) => (string?)m["kind"] == "deadline.overdue" && (string?)m["caseId"] == id;
        var first = await ItemAsync(app, "c-supervisor", m => Overdue(m, acked), "the first overdue alert");
        var firstId = (string)first["alertId"]!;
        var ack = await app.As("c-supervisor").PostAsync(new Uri($"/api/alerts/{Uri.EscapeDataString(firstId)}/ack", UriKind.Relative), null).OkAsync();
        Assert.Equal("c-supervisor", (string)ack["acknowledgedBy"]!);
        Assert.Equal(0, (int)ack["escalations"]!);

        // Someone the alert was not sent to cannot acknowledge it (nor learn that it exists).
        var stranger = await app.As("c-housing-officer").PostAsync(new Uri($"/api/alerts/{Uri.EscapeDataString(firstId)}/ack", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
        Assert.Equal("application/problem+json", stranger.Content.Headers.ContentType?.MediaType);

        // The other one is not acknowledged: ten legal days later the conference office (above the leader in charge) gets it.
        var second = await ItemAsync(app, "c-supervisor", m => Overdue(m, ignored), "the second overdue alert");
        var secondId = (string)second["alertId"]!;
        var escalated = await ItemAsync(app, "c-conf-staff", m => (string?)m["alertId"] == secondId + "/up1", "the escalated alert");
        Assert.StartsWith("【未确认】", (string)escalated["subject"]!, StringComparison.Ordinal);
        Assert.Contains(ignored, (string)escalated["body"]!, StringComparison.Ordinal);
        Assert.Equal("Urgent", (string)escalated["urgency"]!);

        // The acknowledged one was due to escalate no later than the one that did (by their legal records), and it did
        // not: its record is published then acknowledged before its deadline, with no escalation and no timer left.
        var store = app.Services.GetRequiredService<DecisionStore>();
        var firstRecord = await store.ReadEventsAsync(AlertDecider.Type, AlertPolicy.AlertInstanceId(firstId));
        var secondRecord = await store.ReadEventsAsync(AlertDecider.Type, AlertPolicy.AlertInstanceId(secondId));
        var firstDue = AcknowledgeBy(firstRecord);
        Assert.True(firstDue <= AcknowledgeBy(secondRecord), $"the acknowledged alert was due at {firstDue}, after the escalated one");
        Assert.Equal([nameof(AlertPublished), nameof(AlertAcknowledged)], firstRecord.Select(e => e.EventType));
        Assert.True(Instant.FromDateTimeOffset(firstRecord[1].At) < firstDue, "acknowledged before its deadline");
        Assert.Contains(nameof(AlertEscalated), secondRecord.Select(e => e.EventType));
        Assert.DoesNotContain(await MailboxAsync(app, "c-conf-staff"), m => (string?)m!["alertId"] == firstId + "/up1");
        Assert.Contains(await MailboxAsync(app, "c-supervisor"), m => (string?)m!["alertId"] == firstId && m["acknowledgedAt"] is not null);

        // The conference office acknowledges the escalation; every copy of that alert shows it.
        var late = await app.As("c-conf-staff").PostAsync(new Uri($"/api/alerts/{Uri.EscapeDataString(secondId + "/up1")}/ack", UriKind.Relative), null).OkAsync();
        Assert.Equal(1, (int)late["escalations"]!);
        Assert.Contains(await MailboxAsync(app, "c-supervisor"), m => (string?)m!["alertId"] == secondId && (string?)m["acknowledgedBy"] == "c-conf-staff");
    }

    [Fact]
    public async Task Graph_retry_after_is_waited_out_exactly_and_a_refused_delivery_is_listed_and_re_sent()
    {
        await using var graph = await FakeGraphServer.StartAsync();
        var settings = Policy(digest: false, acknowledgeWithinHours: 10_000);
        settings["Supervision:Graph:Enabled"] = "true";
        settings["Supervision:Graph:BaseUrl"] = graph.BaseUrl;
        settings["Supervision:Graph:SenderUserId"] = "alerts@supervision.example";
        settings["Supervision:Graph:PublicAppUrl"] = "https://supervision.example";

        // The supervisor's mailbox is throttled once (Retry-After: 6 s); the leader has no Teams licence (403, for good).
        var throttled = 0;
        var leaderRefused = true;
        graph.Answer = r =>
            r.Path.EndsWith("/sendMail", StringComparison.Ordinal) && r.Body.ToString().Contains("c-supervisor@", StringComparison.Ordinal) && Interlocked.Increment(ref throttled) == 1
                ? new GraphAnswer(429, "6")
                : r.Path == "/v1.0/users/c-leader/teamwork/sendActivityNotification" && leaderRefused ? new GraphAnswer(403) : null;
        await using var app = await CaseApp.StartAsync(
            new DateTimeOffset(2025, 9, 10, 1, 0, 0, TimeSpan.Zero), settings: settings,
            services: s => s.AddSingleton(new Microsoft.Graph.GraphServiceClient(
                Microsoft.Graph.GraphClientFactory.Create(Microsoft.Graph.GraphClientFactory.CreateDefaultHandlers()),
                new Microsoft.Graph.Authentication.AzureIdentityAuthenticationProvider(
                    new StaticToken(), allowedHosts: ["127.0.0.1"], observabilityOptions: null, isCaeEnabled: false, scopes: ["https://graph.microsoft.com/.default"]),
                graph.BaseUrl)));
        var (id, _) = await app.As("c-registrar").RegisterAsync(app.Now, matter: "alerts:graph");

        // The supervisor's first mail (the routing clock's warning) is refused with 429 and the same alert is tried again
        // no sooner than 6 s later (a fixed back-off would have retried after 1 s).
        static string AlertIdOf(GraphRequest r) => r.Body.Prop("message").Prop("internetMessageHeaders")[0].Prop("value").GetString()!;
        var supervisorMails = await CaseApp.EventuallyAsync(
            () =>
            {
                var mails = graph.To("/sendMail").Where(r => r.Body.ToString().Contains("c-supervisor@", StringComparison.Ordinal)).ToList();
                return Task.FromResult(mails.Count > 0 && mails.Count(m => AlertIdOf(m) == AlertIdOf(mails[0])) >= 2
                    ? mails.Where(m => AlertIdOf(m) == AlertIdOf(mails[0])).ToList() : null);
            },
            "the supervisor's mail, sent again after Retry-After", TimeSpan.FromSeconds(90));
        Assert.Contains(id, supervisorMails[1].Body.ToString(), StringComparison.Ordinal);

        // By the orchestration's own record: the throttled attempt returned the 6 s Graph named and the instant it ends,
        // the next timer is due exactly at that instant, and the alert was tried again only after that timer fired.
        var history = await CaseHistoryAsync(app, id);
        var throttledAt = history.FindIndex(e => Is(e, EventType.TaskCompleted) && ((string?)e["Result"])?.Contains("etryAfterSeconds\":6", StringComparison.Ordinal) == true);
        Assert.True(throttledAt >= 0, "no throttled delivery in the case's history");
        var outcome = JsonNode.Parse((string)history[throttledAt]["Result"]!)!;
        var notBefore = DateTime.Parse(((string?)outcome["notBefore"] ?? (string?)outcome["NotBefore"])!, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);
        var timer = history.Skip(throttledAt).First(e => Is(e, EventType.TimerCreated));
        Assert.Equal(notBefore, ((DateTime)timer["FireAt"]!).ToUniversalTime());
        var fired = history.FindIndex(throttledAt, e => Is(e, EventType.TimerFired));
        var retried = history.FindIndex(throttledAt + 1, e => Is(e, EventType.TaskScheduled) && (string?)e["Name"] == ActivityNames.DeliverAlert);
        Assert.True(fired > throttledAt && retried > fired, "the alert was tried again before its Retry-After timer fired");

        // The leader's refused Teams notification is listed for administrators, and re-sent once the licence is there.
        var admin = app.As("admin");
        var failed = await CaseApp.EventuallyAsync(
            async () => (await admin.GetAsync(new Uri("/api/ops/failed-deliveries", UriKind.Relative)).OkAsync()).AsArray()
                .FirstOrDefault(f => (string?)f!["personId"] == "c-leader" && (string?)f["channel"] == "teams"),
            "the refused delivery in the failed list");
        Assert.StartsWith("failed:403", (string)failed["outcome"]!, StringComparison.Ordinal);
        leaderRefused = false;
        var resent = await admin.PostAsync(new Uri("/api/ops/failed-deliveries/resend", UriKind.Relative), null).OkAsync();
        Assert.True((int)resent["sent"]! >= 1);
        Assert.DoesNotContain(
            (await admin.GetAsync(new Uri("/api/ops/failed-deliveries", UriKind.Relative)).OkAsync()).AsArray(),
            f => (string?)f!["personId"] == "c-leader");
        Assert.True(graph.To("/users/c-leader/teamwork/sendActivityNotification").Count >= 2);

        // Exactly one resend of the throttled mail: the refusal and the delivery, nothing after it.
        Assert.Equal(2, graph.To("/sendMail").Count(r => AlertIdOf(r) == AlertIdOf(supervisorMails[0]) && r.Body.ToString().Contains("c-supervisor@", StringComparison.Ordinal)));
    }

    private static bool Is(JsonNode e, EventType type) => (EventType)(int)e["EventType"]! == type;

    private static Instant AcknowledgeBy(IReadOnlyList<StoredEvent> record)
    {
        var published = JsonNode.Parse(record.Single(e => e.EventType == nameof(AlertPublished)).Data)!;
        var due = (string?)(published["acknowledgeBy"] ?? published["AcknowledgeBy"]);
        return NodaTime.Text.InstantPattern.ExtendedIso.Parse(due!).GetValueOrThrow();
    }

    /// <summary>The raw Durable Task history (every execution's events in order) of a case's orchestration.</summary>
    private static async Task<List<JsonNode>> CaseHistoryAsync(CaseApp app, string caseId)
    {
        var hub = app.Services.GetRequiredService<Supervision.Standalone.TaskHub>();
        var states = await hub.Service.GetOrchestrationStateAsync(caseId, allExecutions: true);
        var events = new List<JsonNode>();
        foreach (var state in states.OrderBy(s => s.CreatedTime))
        {
            events.AddRange(JsonNode.Parse(await hub.Service.GetOrchestrationHistoryAsync(caseId, state.OrchestrationInstance.ExecutionId))!.AsArray().Select(e => e!));
        }

        return events;
    }

    [Fact]
    public async Task OpenApi_lists_acknowledgement_and_the_failed_deliveries_operations()
    {
        await using var app = await CaseApp.StartAsync(new DateTimeOffset(2025, 9, 10, 1, 0, 0, TimeSpan.Zero));
        var doc = await app.As("admin").GetJsonAsync("/openapi/v1.json");
        var paths = doc["paths"]!.AsObject();
        Assert.NotNull(paths["/api/alerts/{alertId}/ack"]?["post"]);
        Assert.NotNull(paths["/api/ops/failed-deliveries"]?["get"]);
        Assert.NotNull(paths["/api/ops/failed-deliveries/resend"]?["post"]);
        Assert.NotNull(paths["/api/cases/{id}/files"]?["post"]);
        Assert.NotNull(paths["/api/cases/{id}/files/{fileId}"]?["get"]);
    }

    private sealed class StaticToken : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(FakeGraphServer.Token, Supervision.Orchestrations.Clocks.Wall.GetUtcNow().AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
