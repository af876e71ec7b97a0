using System.Text.Json;
using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Graph;
using Supervision.Api.Alerts;
using Supervision.Api.Org;
using Supervision.Api.Platform;
using Supervision.Domain.Orchestration;
using Supervision.Domain.Org;
using Supervision.Orchestrations;
using Supervision.Testing;

namespace Supervision.Api.Tests.Alerts;

/// <summary>
/// The Graph alert sink through the real Graph SDK pipeline (auth provider, default middleware) against a fake Graph
/// server on a loopback port, with the org directory, mailbox and delivery markers in Azurite.
/// </summary>
public sealed class GraphAlertSinkTests : IAsyncLifetime
{
    private const string Sender = "alerts-sender";
    private const string PublicApp = "https://supervision.example/app";

    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 3, 2, 1, 0, 0, TimeSpan.Zero));
    private FakeGraphServer server = null!;
    private OrchestrationStorage storage = null!;
    private OrgService org = null!;
    private LocalMailbox mailbox = null!;
    private GraphAlertSink sink = null!;

    public async Task InitializeAsync()
    {
        server = await FakeGraphServer.StartAsync();
        var connection = await TestStorage.GetConnectionStringAsync();
        storage = new OrchestrationStorage(Options.Create(new StorageOptions { ConnectionString = connection, Prefix = TestStorage.UniqueName("ga") }), new StorageMetrics());
        var settings = StorageSettings.From(new ConfigurationBuilder().AddInMemoryCollection([new("AzureWebJobsStorage", connection)]).Build());
        org = new OrgService(settings, Options.Create(new OrgOptions { Container = TestStorage.UniqueName("ga"), Seed = "demo" }), Supervision.Orchestrations.Clocks.Around(clock));
        mailbox = new LocalMailbox(storage, clock);

        var auth = new Microsoft.Graph.Authentication.AzureIdentityAuthenticationProvider(
            new FixedTokenCredential(), allowedHosts: ["127.0.0.1"], observabilityOptions: null, isCaeEnabled: false,
            scopes: ["https://graph.microsoft.com/.default"]);
        var graph = new GraphServiceClient(GraphClientFactory.Create(GraphClientFactory.CreateDefaultHandlers()), auth, server.BaseUrl);
        var options = new GraphAlertOptions { Enabled = true, SenderUserId = Sender, BaseUrl = server.BaseUrl, PublicAppUrl = PublicApp };
        Assert.Empty(options.Problems());
        sink = new GraphAlertSink(mailbox, org, graph, storage, new FixedOptions(options), clock, NullLogger<GraphAlertSink>.Instance);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
    }

    [Fact]
    public async Task An_overdue_alert_to_an_agency_head_sends_one_mail_and_one_teams_notification()
    {
        var delivery = Overdue("case/XF-2026-000123/7/0", new AlertAudience("agency-head", "c-housing"));

        await DeliverAsync(delivery);

        var mail = Assert.Single(server.To("/sendMail"));
        Assert.Equal($"/v1.0/users/{Sender}/sendMail", mail.Path);
        Assert.Equal($"Bearer {FakeGraphServer.Token}", mail.Authorization);
        var message = mail.Body.Prop("message");
        Assert.Equal("【紧急】信访事项 XF-2026-000123 已超期", message.Prop("subject").GetString());
        Assert.Equal("c-housing-head@supervision.example", message.Prop("toRecipients")[0].Prop("emailAddress").Prop("address").GetString());
        var header = Assert.Single(message.Prop("internetMessageHeaders").EnumerateArray());
        Assert.Equal("x-supervision-alert-id", header.Prop("name").GetString());
        Assert.Equal("case/XF-2026-000123/7/0", header.Prop("value").GetString());
        Assert.Contains(PublicApp + "/cases/XF-2026-000123", message.Prop("body").Prop("content").GetString(), StringComparison.Ordinal);
        Assert.Equal("text", message.Prop("body").Prop("contentType").GetString());
        Assert.False(mail.Body.Prop("saveToSentItems").GetBoolean());

        var teams = Assert.Single(server.To("/teamwork/sendActivityNotification"));
        Assert.Equal("/v1.0/users/c-housing-head/teamwork/sendActivityNotification", teams.Path);
        Assert.Equal($"Bearer {FakeGraphServer.Token}", teams.Authorization);
        var topic = teams.Body.Prop("topic");
        Assert.Equal("text", topic.Prop("source").GetString());
        Assert.Equal(PublicApp + "/cases/XF-2026-000123", topic.Prop("webUrl").GetString());
        Assert.Equal("【紧急】信访事项 XF-2026-000123 已超期", topic.Prop("value").GetString());
        Assert.Equal("systemDefault", teams.Body.Prop("activityType").GetString());
        var parameter = Assert.Single(teams.Body.Prop("templateParameters").EnumerateArray());
        Assert.Equal("systemDefaultText", parameter.Prop("name").GetString());

        // The UI still lists it.
        var item = Assert.Single(await mailbox.ListAsync("agency-head", "c-housing"));
        Assert.Equal(delivery.AlertId, item.AlertId);
    }

    [Fact]
    public async Task Throttling_throws_a_retryable_error_with_retry_after_and_the_retry_skips_recipients_already_served()
    {
        // Two recipients: the c-bureau supervisor and the c-housing agency head. Teams throttles the first one's notification.
        var delivery = Overdue("case/XF-2026-000124/3/1", new AlertAudience("supervisor", "c-bureau"), new AlertAudience("agency-head", "c-housing"));
        server.Answer = r => r.Path.EndsWith("/users/c-supervisor/teamwork/sendActivityNotification", StringComparison.Ordinal) ? new GraphAnswer(429, "7") : null;

        var error = await Assert.ThrowsAsync<GraphAlertRetryException>(() => DeliverAsync(delivery));

        Assert.Equal(429, error.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
        Assert.Equal(["/v1.0/users/alerts-sender/sendMail", "/v1.0/users/c-supervisor/teamwork/sendActivityNotification"], server.Requests.Select(r => r.Path));

        server.Answer = _ => null;
        await DeliverAsync(delivery);

        // The supervisor's mail is not sent again; everything else goes exactly once.
        var mails = server.To("/sendMail").Select(Recipient).ToList();
        Assert.Equal(["c-supervisor@supervision.example", "c-housing-head@supervision.example"], mails);
        Assert.Equal(2, server.To("/users/c-supervisor/teamwork/sendActivityNotification").Count);
        Assert.Single(server.To("/users/c-housing-head/teamwork/sendActivityNotification"));

        // A third delivery of the same id sends nothing.
        var before = server.Requests.Count;
        await DeliverAsync(delivery);
        Assert.Equal(before, server.Requests.Count);
    }

    [Fact]
    public async Task A_refusal_for_one_recipient_does_not_block_the_others_and_is_not_retried()
    {
        var delivery = Overdue("case/XF-2026-000125/4/0", new AlertAudience("supervisor", "c-bureau"), new AlertAudience("agency-head", "c-housing"));
        server.Answer = r => r.Path.EndsWith("/users/c-supervisor/teamwork/sendActivityNotification", StringComparison.Ordinal) ? new GraphAnswer(403) : null;

        await DeliverAsync(delivery);
        await DeliverAsync(delivery);

        Assert.Single(server.To("/users/c-supervisor/teamwork/sendActivityNotification"));
        Assert.Single(server.To("/users/c-housing-head/teamwork/sendActivityNotification"));
        Assert.Equal(2, server.To("/sendMail").Count);
    }

    [Fact]
    public async Task A_person_without_email_gets_teams_only()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await org.UpdateAsync(d => d.WithPerson(d.PersonById("c-housing-head")! with { Email = null }), cts.Token);

        await DeliverAsync(Overdue("case/XF-2026-000126/2/0", new AlertAudience("agency-head", "c-housing")));

        Assert.Empty(server.To("/sendMail"));
        Assert.Single(server.To("/users/c-housing-head/teamwork/sendActivityNotification"));
    }

    [Fact]
    public async Task An_audience_nobody_holds_delivers_nothing_through_graph_and_does_not_throw()
    {
        var delivery = Overdue("case/XF-2026-000127/2/0", new AlertAudience("agency-head", "no-such-unit"), new AlertAudience("no-such-role", "c-housing"));

        await DeliverAsync(delivery);

        Assert.Empty(server.Requests);
        Assert.Single(await mailbox.ListAsync("agency-head", "no-such-unit"));
    }

    [Fact]
    public async Task An_alert_filed_by_the_digest_goes_to_the_mailbox_only_and_the_digest_message_is_sent()
    {
        // Decision A15: the held reminder is filed under its own id (the mailbox row a case page finds); the person's
        // digest message, which lists it, is the one mail and Teams notification.
        var reminder = new AlertDelivery("case/XF-2026-000128/4/0", "digest", "digest-2026-03-02", new Alert(
            "deadline.reminder", "【提醒】信访事项 XF-2026-000128 受理告知", "受理告知期限过半。", [new AlertAudience("agency-head", "c-housing")],
            AlertUrgency.Routine, "/cases/XF-2026-000128", "XF-2026-000128", Digested: true));
        await DeliverAsync(reminder);
        Assert.Empty(server.Requests);
        var row = Assert.Single(await mailbox.ListAsync("agency-head", "c-housing"), m => m.AlertId == reminder.AlertId);
        Assert.True(row.Digested);
        Assert.Equal("XF-2026-000128", row.CaseId);

        await DeliverAsync(new AlertDelivery("digest/2026-03-02/c-housing-head", "digest", "digest-2026-03-02", new Alert(
            "digest.daily", "【每日提醒】2026-03-02 共 1 条", "1. 【提醒】信访事项 XF-2026-000128 受理告知", [AlertAudience.Person("c-housing-head")], AlertUrgency.Routine, "/app/mailbox.html")));
        Assert.Single(server.To("/sendMail"));
        Assert.Single(server.To("/users/c-housing-head/teamwork/sendActivityNotification"));
        Assert.False(Assert.Single(await mailbox.ListAsync(AlertAudience.PersonRole, "c-housing-head")).Digested);
    }

    [Fact]
    public void Retry_after_as_an_http_date_is_a_delay_from_now()
    {
        var e = new Microsoft.Kiota.Abstractions.ApiException("throttled")
        {
            ResponseStatusCode = 429,
            ResponseHeaders = new Dictionary<string, IEnumerable<string>> { ["retry-after"] = [clock.GetUtcNow().AddSeconds(90).ToString("R")] },
        };

        Assert.Equal(TimeSpan.FromSeconds(90), GraphAlertSink.RetryAfter(e, clock.GetUtcNow()));
    }

    private static string? Recipient(GraphRequest r) =>
        r.Body.Prop("message").Prop("toRecipients")[0].Prop("emailAddress").Prop("address").GetString();

    private static AlertDelivery Overdue(string alertId, params AlertAudience[] to) =>
        new(alertId, "case", alertId.Split('/')[1], new Alert(
            "deadline.overdue", $"信访事项 {alertId.Split('/')[1]} 已超期", "办理期限已届满，请督促办理。", to, AlertUrgency.Urgent, $"/cases/{alertId.Split('/')[1]}"));

    private async Task DeliverAsync(AlertDelivery delivery)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await sink.DeliverAsync(delivery, cts.Token);
    }

    private sealed class FixedTokenCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(FakeGraphServer.Token, Supervision.Orchestrations.Clocks.Wall.GetUtcNow().AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    private sealed class FixedOptions(GraphAlertOptions value) : IOptionsMonitor<GraphAlertOptions>
    {
        public GraphAlertOptions CurrentValue => value;

        public GraphAlertOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<GraphAlertOptions, string?> listener) => null;
    }
}

/// <summary>
/// Graph matches JSON property names case-insensitively, and the SDK sends action parameters as the metadata spells
/// them (<c>Message</c>, <c>SaveToSentItems</c>), so the tests read bodies the same way.
/// </summary>
internal static class JsonProps
{
    public static JsonElement Prop(this JsonElement element, string name) =>
        element.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) is { Value.ValueKind: not JsonValueKind.Undefined } found
            ? found.Value
            : throw new KeyNotFoundException($"No property '{name}' in {element.GetRawText()}");
}
