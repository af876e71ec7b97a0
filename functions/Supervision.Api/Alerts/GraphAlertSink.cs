using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Graph.Users.Item.SendMail;
using Microsoft.Graph.Users.Item.Teamwork.SendActivityNotification;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;
using Supervision.Api.Org;
using Supervision.Domain.Org;
using Supervision.Orchestrations;
using GraphKeyValuePair = Microsoft.Graph.Models.KeyValuePair;
using Person = Supervision.Domain.Org.Person;

namespace Supervision.Api.Alerts;

/// <summary>Settings of <c>Supervision:Graph</c> (docs/alerts.md).</summary>
public sealed class GraphAlertOptions
{
    public const string Section = "Supervision:Graph";

    /// <summary>Deliver alerts through Microsoft Graph; off means the local mailbox only.</summary>
    public bool Enabled { get; set; }

    /// <summary>Object id or UPN of the mailbox alerts are sent from (<c>POST /users/{sender}/sendMail</c>).</summary>
    public string? SenderUserId { get; set; }

    /// <summary>Graph root including the version; another national cloud's host also selects its token scope.</summary>
    public string BaseUrl { get; set; } = "https://graph.microsoft.com/v1.0";

    /// <summary>Absolute base URL of the app; alert links (<c>/cases/…</c>) are made absolute with it.</summary>
    public string? PublicAppUrl { get; set; }

    /// <summary>Send Teams activity-feed notifications.</summary>
    public bool Teams { get; set; } = true;

    /// <summary>Send e-mail.</summary>
    public bool Mail { get; set; } = true;

    /// <summary>Table of delivered (alert, recipient, channel) markers, after the runtime's table prefix.</summary>
    public string DeliveriesTable { get; set; } = "alertdeliveries";

    /// <summary>Problems that make the settings unusable; empty when valid (or disabled).</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!Enabled)
        {
            return problems;
        }

        if (Mail && string.IsNullOrWhiteSpace(SenderUserId))
        {
            problems.Add($"{Section}:SenderUserId is required when {Section}:Mail is true.");
        }

        if (!Uri.TryCreate(PublicAppUrl, UriKind.Absolute, out _))
        {
            problems.Add($"{Section}:PublicAppUrl must be an absolute URL (alert links in e-mail and Teams point there).");
        }

        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out _))
        {
            problems.Add($"{Section}:BaseUrl must be an absolute URL.");
        }

        return problems;
    }
}

/// <summary>A delivery Graph refused for good (HTTP 4xx other than 401/408/429), as listed for administrators.</summary>
public sealed record FailedDelivery(string AlertId, string PersonId, string Channel, string Outcome, DateTimeOffset At, string? Subject);

/// <summary>
/// Graph answered with throttling or a transient error (401, 408, 429, 5xx). Thrown out of
/// <see cref="GraphAlertSink.DeliverAsync"/> so the alert orchestration waits for Retry-After on a durable timer and delivers again;
/// <see cref="AlertDeliveryThrottledException.RetryAfter"/> is what Graph asked for.
/// </summary>
public sealed class GraphAlertRetryException : AlertDeliveryThrottledException
{
    public GraphAlertRetryException()
    {
    }

    public GraphAlertRetryException(string message)
        : base(message)
    {
    }

    public GraphAlertRetryException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public GraphAlertRetryException(string message, int statusCode, TimeSpan? retryAfter, Exception inner)
        : base(message, retryAfter, inner)
    {
        StatusCode = statusCode;
    }

    public int StatusCode { get; }
}

/// <summary>
/// Delivers alerts to the local mailbox (so the UI keeps listing them) and then, unless the alert was filed by the daily
/// digest (<see cref="Supervision.Domain.Orchestration.Alert.Digested"/>: the digest message carries it), through Microsoft Graph: e-mail from
/// a sender mailbox and a Teams activity-feed notification, to every person holding an audience's role at its unit.
/// A delivered (alert id, person, channel) is marked in a table, so a retried delivery never sends it again.
/// Throttling and transient failures throw <see cref="GraphAlertRetryException"/> (the orchestration waits and retries); a permanent
/// 4xx for one recipient is logged by id, marked as failed, and does not block the others.
/// </summary>
public sealed class GraphAlertSink(
    LocalMailbox mailbox,
    OrgService org,
    GraphServiceClient graph,
    OrchestrationStorage storage,
    IOptionsMonitor<GraphAlertOptions> options,
    TimeProvider clock,
    ILogger<GraphAlertSink> logger) : IAlertSink
{
    public const string AlertIdHeader = "x-supervision-alert-id";
    private const string MailChannel = "mail";
    private const string TeamsChannel = "teams";

    private static readonly Dictionary<string, Role> Roles =
        Enum.GetValues<Role>().ToDictionary(RoleNames.Of, r => r, StringComparer.Ordinal);

    public async Task DeliverAsync(AlertDelivery delivery, CancellationToken cancellationToken)
    {
        await mailbox.DeliverAsync(delivery, cancellationToken);
        if (delivery.Alert.Digested)
        {
            return; // filed by the daily digest: the person's digest message (its own delivery) carries it (decision A15)
        }

        var o = options.CurrentValue;
        var recipients = Resolve(await org.GetAsync(cancellationToken), delivery);
        if (recipients.Count == 0)
        {
            logger.LogInformation("Alert {AlertId}: no one holds the audience roles; mailbox only.", delivery.AlertId);
            return;
        }

        var table = await storage.TableAsync(storage.Options.Prefix + o.DeliveriesTable);
        var done = await MarkedAsync(table, delivery.AlertId, cancellationToken);
        var url = AbsoluteLink(o.PublicAppUrl, delivery.Alert.Link);
        foreach (var person in recipients)
        {
            if (o.Mail && person.Email is { Length: > 0 } email && !done.Contains(MarkerRow(person.Id, MailChannel)))
            {
                await SendAsync(table, delivery, person.Id, MailChannel, ct => graph.Users[o.SenderUserId].SendMail.PostAsync(
                    MailBody(delivery, email, url, AcknowledgeLink(o.PublicAppUrl, delivery)), NoRetries, ct), cancellationToken);
            }

            if (o.Teams && !done.Contains(MarkerRow(person.Id, TeamsChannel)))
            {
                await SendAsync(table, delivery, person.Id, TeamsChannel, ct => graph.Users[person.Id].Teamwork.SendActivityNotification.PostAsync(
                    TeamsBody(delivery, url), NoRetries, ct), cancellationToken);
            }
        }
    }

    /// <summary>
    /// The page where a recipient acknowledges an urgent alert (it escalates while nobody does); null for routine alerts
    /// and digests, which need no acknowledgement.
    /// </summary>
    public static string? AcknowledgeLink(string? publicAppUrl, AlertDelivery delivery) =>
        delivery.Alert.Urgency == Supervision.Domain.Orchestration.AlertUrgency.Urgent
            ? AbsoluteLink(publicAppUrl, "/app/mailbox.html?ack=" + Uri.EscapeDataString(delivery.AlertId))
            : null;

    /// <summary>The subject as recipients see it: urgency first.</summary>
    public static string Subject(Supervision.Domain.Orchestration.Alert alert) =>
        (alert.Urgency == Supervision.Domain.Orchestration.AlertUrgency.Urgent ? "【紧急】" : "【提醒】") + alert.Subject;

    /// <summary>Distinct people holding any audience's role at its unit, in directory order. Unknown roles match no one.</summary>
    public static IReadOnlyList<Person> Resolve(OrgDirectory directory, AlertDelivery delivery)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var people = new List<Person>();
        foreach (var audience in delivery.Alert.To)
        {
            if (audience.Role == Supervision.Domain.Orchestration.AlertAudience.PersonRole)
            {
                // A digest is addressed to one person, whatever their roles.
                if (directory.PersonById(audience.UnitId) is { } addressed && seen.Add(addressed.Id))
                {
                    people.Add(addressed);
                }

                continue;
            }

            if (!Roles.TryGetValue(audience.Role, out var role))
            {
                continue;
            }

            foreach (var person in directory.PeopleInRole(role, audience.UnitId))
            {
                if (seen.Add(person.Id))
                {
                    people.Add(person);
                }
            }
        }

        return people;
    }

    // A fresh request body per attempt: the SDK's models track changes, and a re-sent instance serialises as {}.
    private static SendMailPostRequestBody MailBody(AlertDelivery delivery, string email, string url, string? acknowledge) => new()
    {
        Message = new Message
        {
            Subject = Subject(delivery.Alert),
            Body = new ItemBody
            {
                ContentType = BodyType.Text,
                Content = delivery.Alert.Body + "\n\n" + url + (acknowledge is null ? string.Empty : "\n\n确认收到（未确认将逐级上报）：" + acknowledge),
            },
            ToRecipients = [new Recipient { EmailAddress = new EmailAddress { Address = email } }],
            InternetMessageHeaders = [new InternetMessageHeader { Name = AlertIdHeader, Value = delivery.AlertId }],
        },
        SaveToSentItems = false,
    };

    private static SendActivityNotificationPostRequestBody TeamsBody(AlertDelivery delivery, string url) => new()
    {
        Topic = new TeamworkActivityTopic { Source = TeamworkActivityTopicSource.Text, Value = Subject(delivery.Alert), WebUrl = url },
        ActivityType = "systemDefault",
        PreviewText = new ItemBody { Content = Truncate(delivery.Alert.Body, 150) },
        TemplateParameters = [new GraphKeyValuePair { Name = "systemDefaultText", Value = Subject(delivery.Alert) }],
    };

    private static void NoRetries(RequestConfiguration<DefaultQueryParameters> rc) =>
        rc.Options.Add(new RetryHandlerOption { MaxRetry = 0 });

    private async Task SendAsync(TableClient table, AlertDelivery delivery, string personId, string channel, Func<CancellationToken, Task> send, CancellationToken ct)
    {
        var alertId = delivery.AlertId;
        try
        {
            await send(ct);
        }
        catch (ApiException e) when (e.ResponseStatusCode is >= 400 and < 500 and not 401 and not 408 and not 429)
        {
            // Permanent for this recipient (no licence, Teams app not installed, no permission): recorded with the alert,
            // listed for administrators (GET /api/ops/failed-deliveries), who re-send once the cause is fixed.
            var code = (e as ODataError)?.Error?.Code;
            logger.LogWarning("Alert {AlertId}: {Channel} to person {PersonId} refused with {Status} {Code}; not retried.", alertId, channel, personId, e.ResponseStatusCode, code);
            await MarkAsync(table, alertId, personId, channel, $"failed:{e.ResponseStatusCode}{(code is null ? string.Empty : " " + code)}", ct, delivery);
            return;
        }
        catch (ApiException e)
        {
            var retryAfter = RetryAfter(e, clock.GetUtcNow());
            logger.LogWarning("Alert {AlertId}: {Channel} to person {PersonId} got {Status}; delivery is retried (Retry-After {RetryAfter}).", alertId, channel, personId, e.ResponseStatusCode, retryAfter);
            throw new GraphAlertRetryException(
                $"Graph answered {e.ResponseStatusCode} for alert {alertId} ({channel}); retry after {retryAfter?.ToString() ?? "back-off"}.",
                e.ResponseStatusCode, retryAfter, e);
        }

        await MarkAsync(table, alertId, personId, channel, "sent", ct);
    }

    /// <summary>Deliveries Graph refused for good (one row per alert, person and channel), oldest first.</summary>
    public async Task<IReadOnlyList<FailedDelivery>> FailedAsync(CancellationToken ct)
    {
        var table = await storage.TableAsync(storage.Options.Prefix + options.CurrentValue.DeliveriesTable);
        var failed = new List<FailedDelivery>();
        await foreach (var e in table.QueryAsync<TableEntity>(FailedFilter, cancellationToken: ct))
        {
            failed.Add(new FailedDelivery(
                e.GetString("AlertId") ?? "", e.GetString("PersonId") ?? "", e.GetString("Channel") ?? "", e.GetString("Outcome") ?? "",
                e.GetDateTimeOffset("At") ?? default, e.GetString("Subject")));
        }

        return [.. failed.OrderBy(f => f.At)];
    }

    /// <summary>
    /// Sends every refused delivery again, to that person on that channel only. A success replaces the failure mark;
    /// a refusal keeps it (with the new reason). Returns (re-sent, still failing).
    /// </summary>
    public async Task<(int Sent, int Failed)> ResendFailedAsync(CancellationToken ct)
    {
        var o = options.CurrentValue;
        var table = await storage.TableAsync(storage.Options.Prefix + o.DeliveriesTable);
        var directory = await org.GetAsync(ct);
        int sent = 0, failed = 0;
        await foreach (var e in table.QueryAsync<TableEntity>(FailedFilter, cancellationToken: ct))
        {
            if (e.GetString("Delivery") is not { } json || directory.PersonById(e.GetString("PersonId")) is not { } person)
            {
                failed++;
                continue;
            }

            var delivery = JsonSerializer.Deserialize<AlertDelivery>(json, DeliveryJson)!;
            var url = AbsoluteLink(o.PublicAppUrl, delivery.Alert.Link);
            var channel = e.GetString("Channel");
            Func<CancellationToken, Task> send = channel == MailChannel && person.Email is { Length: > 0 } email
                ? c => graph.Users[o.SenderUserId].SendMail.PostAsync(MailBody(delivery, email, url, AcknowledgeLink(o.PublicAppUrl, delivery)), NoRetries, c)
                : c => graph.Users[person.Id].Teamwork.SendActivityNotification.PostAsync(TeamsBody(delivery, url), NoRetries, c);
            await SendAsync(table, delivery, person.Id, channel ?? TeamsChannel, send, ct);
            var now = await table.GetEntityAsync<TableEntity>(e.PartitionKey, e.RowKey, cancellationToken: ct);
            if (now.Value.GetString("Outcome") == "sent")
            {
                sent++;
            }
            else
            {
                failed++;
            }
        }

        return (sent, failed);
    }

    private static readonly string FailedFilter = TableClient.CreateQueryFilter($"Outcome ge {"failed:"} and Outcome lt {"failed;"}");

    private static readonly System.Text.Json.JsonSerializerOptions DeliveryJson = Supervision.Domain.Orchestration.DomainJson.Create();

    /// <summary>The Retry-After header as a delay: seconds, or an HTTP date relative to <paramref name="now"/>.</summary>
    public static TimeSpan? RetryAfter(ApiException e, DateTimeOffset now)
    {
        var value = e.ResponseHeaders?
            .FirstOrDefault(h => string.Equals(h.Key, "Retry-After", StringComparison.OrdinalIgnoreCase)).Value?
            .FirstOrDefault();
        if (value is null)
        {
            return null;
        }

        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at > now ? at - now : TimeSpan.Zero
            : null;
    }

    private static string AbsoluteLink(string? publicAppUrl, string? link)
    {
        var root = (publicAppUrl ?? string.Empty).TrimEnd('/');
        return link is { Length: > 0 } ? root + "/" + link.TrimStart('/') : root + "/";
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private static string MarkerRow(string personId, string channel) => Keys.Escape(personId) + "|" + channel;

    private static async Task<HashSet<string>> MarkedAsync(TableClient table, string alertId, CancellationToken ct)
    {
        var rows = new HashSet<string>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Keys.Escape(alertId)}");
        await foreach (var e in table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: ct))
        {
            rows.Add(e.RowKey);
        }

        return rows;
    }

    private async Task MarkAsync(TableClient table, string alertId, string personId, string channel, string outcome, CancellationToken ct, AlertDelivery? failed = null)
    {
        var entity = new TableEntity(Keys.Escape(alertId), MarkerRow(personId, channel))
        {
            ["AlertId"] = alertId,
            ["PersonId"] = personId,
            ["Channel"] = channel,
            ["Outcome"] = outcome,
            ["At"] = clock.GetUtcNow(),
        };
        if (failed is not null)
        {
            // A refused delivery keeps what it was, so an administrator can send it again (the text has no petitioner data).
            entity["Subject"] = failed.Alert.Subject;
            entity["Delivery"] = JsonSerializer.Serialize(failed, DeliveryJson);
        }

        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, ct);
    }
}

public static class GraphAlertRegistration
{
    /// <summary>
    /// Delivers alerts through Graph (and still into the local mailbox). The Graph client authenticates with the
    /// registered <see cref="TokenCredential"/> (the managed identity of <c>AzureWebJobsStorage</c>), or
    /// <see cref="DefaultAzureCredential"/> when none is registered.
    /// </summary>
    public static IServiceCollection UseGraphAlerts(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<GraphAlertOptions>()
            .Bind(config.GetSection(GraphAlertOptions.Section))
            .Validate(o => o.Problems().Count == 0, "Supervision:Graph is incomplete: set SenderUserId (when Mail) and an absolute PublicAppUrl.")
            .ValidateOnStart();
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<GraphAlertOptions>>().Value;
            var credential = sp.GetService<TokenCredential>() ?? new DefaultAzureCredential();
            var scope = $"https://{new Uri(o.BaseUrl).Host}/.default";
            return new GraphServiceClient(credential, [scope], o.BaseUrl);
        });
        services.UseAlertSink<GraphAlertSink>();
        return services;
    }
}
