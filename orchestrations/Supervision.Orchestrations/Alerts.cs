using Azure;
using Azure.Data.Tables;
using Supervision.Domain.Orchestration;

namespace Supervision.Orchestrations;

/// <summary>An alert to deliver, with its deterministic id (the effect id) so receivers can deduplicate.</summary>
public sealed record AlertDelivery(string AlertId, string SourceType, string SourceInstanceId, Alert Alert);

/// <summary>
/// Where <see cref="RaiseAlert"/> effects go. Delivery is at least once with the same <see cref="AlertDelivery.AlertId"/>;
/// an implementation must treat a repeated id as delivered. Throw to have the delivery activity retried with back-off;
/// after its retries the alert is parked in the failed-effects list for operators to re-send.
/// </summary>
public interface IAlertSink
{
    Task DeliverAsync(AlertDelivery delivery, CancellationToken cancellationToken);
}

/// <summary>
/// What one delivery attempt came to: delivered (or handed to the alert or digest instance that delivers it), or
/// throttled with the delay the receiver asked for. The orchestration waits exactly that long on a durable timer.
/// </summary>
/// <param name="RetryAfterSeconds">The delay the receiver asked for; null when delivered.</param>
/// <param name="NotBefore">When the receiver may be called again (UTC, real time): the answer's time plus the delay.</param>
/// <remarks>Null parts are left out of the JSON: a delivered alert's outcome is <c>{}</c> in history (read as delivered by
/// <see cref="From"/>, as are the <c>true</c> of v1 and the nulls written before).</remarks>
public sealed record AlertOutcome(
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] double? RetryAfterSeconds = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] DateTime? NotBefore = null)
{
    public static AlertOutcome Delivered { get; } = new();

    /// <summary>
    /// The activity's result as history holds it. Instances started before alerts could be throttled recorded
    /// <c>true</c>; they replay as delivered (Golden/case-v1-*.json).
    /// </summary>
    public static AlertOutcome From(System.Text.Json.JsonElement result) =>
        result.ValueKind == System.Text.Json.JsonValueKind.Object
            ? System.Text.Json.JsonSerializer.Deserialize<AlertOutcome>(result.GetRawText(), Json) ?? Delivered
            : Delivered;

    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);
}

/// <summary>
/// A sink's receiver asked to be called again later (HTTP 429/503 with <c>Retry-After</c>). Sinks throw it (or a
/// subclass) so the orchestration can wait exactly <see cref="RetryAfter"/> on a durable timer; without a delay the
/// failure is retried with the effects' back-off.
/// </summary>
public class AlertDeliveryThrottledException : Exception
{
    public AlertDeliveryThrottledException()
    {
    }

    public AlertDeliveryThrottledException(string message)
        : base(message)
    {
    }

    public AlertDeliveryThrottledException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public AlertDeliveryThrottledException(string message, TimeSpan? retryAfter, Exception? inner)
        : base(message, inner)
    {
        RetryAfter = retryAfter;
    }

    public TimeSpan? RetryAfter { get; }
}

/// <summary>
/// Where an alert decided by a case, ticket or joint assignment goes before any sink sees it: to the digest of the
/// next working morning (routine), to an alert instance that delivers and escalates it (urgent), or nowhere (null:
/// the source delivers it itself). Implemented by the host, which knows the calendar and the alert policy.
/// </summary>
public interface IAlertRouter
{
    MessageDispatch? Route(AlertDispatch dispatch, Supervision.Domain.Orchestration.Alert alert);
}

/// <summary>Every alert delivered by its source at once (no digest, no escalation): hosts without an alert policy.</summary>
public sealed class DirectAlerts : IAlertRouter
{
    public MessageDispatch? Route(AlertDispatch dispatch, Supervision.Domain.Orchestration.Alert alert) => null;
}

/// <summary>One alert in the local mailbox.</summary>
/// <param name="Digested">A routine alert filed by the daily digest (its source's id and case id; the person's
/// <c>digest.daily</c> message carried it, so it was not sent on its own).</param>
public sealed record MailboxItem(
    string Role, string UnitId, string AlertId, string Kind, string Subject, string Body, AlertUrgency Urgency, string? Link, string SourceType,
    string SourceInstanceId, DateTimeOffset DeliveredAt, string? AcknowledgedBy = null, DateTimeOffset? AcknowledgedAt = null, string? CaseId = null,
    bool Digested = false);

/// <summary>
/// The standalone alert sink: one table row per (audience, alert id), PartitionKey <c>{role}|{unitId}</c>, RowKey the
/// alert id. Inserting an id twice is a no-op, so redelivery never shows an alert twice. The UI lists it.
/// </summary>
public sealed class LocalMailbox(OrchestrationStorage storage, TimeProvider clock) : IAlertSink
{
    public async Task DeliverAsync(AlertDelivery delivery, CancellationToken cancellationToken)
    {
        var table = await storage.MailboxAsync();
        var audiences = delivery.Alert.To.Count == 0 ? [new AlertAudience("-", "-")] : delivery.Alert.To;
        foreach (var to in audiences)
        {
            var entity = new TableEntity(Keys.Escape(to.Role) + "|" + Keys.Escape(to.UnitId), Keys.Escape(delivery.AlertId))
            {
                ["Role"] = to.Role,
                ["UnitId"] = to.UnitId,
                ["AlertId"] = delivery.AlertId,
                ["Kind"] = delivery.Alert.Kind,
                ["Subject"] = delivery.Alert.Subject,
                ["Body"] = delivery.Alert.Body,
                ["Urgency"] = delivery.Alert.Urgency.ToString(),
                ["Link"] = delivery.Alert.Link,
                ["SourceType"] = delivery.SourceType,
                ["SourceInstanceId"] = delivery.SourceInstanceId,
                ["CaseId"] = delivery.Alert.CaseId,
                ["Digested"] = delivery.Alert.Digested,
                ["DeliveredAt"] = clock.GetUtcNow(),
            };
            try
            {
                await table.AddEntityAsync(entity, cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                // Same alert id already delivered to this audience: redelivery is a no-op.
            }
        }
    }

    /// <summary>
    /// Marks every mailbox row of an alert and its escalations (ids <paramref name="rootAlertId"/> and
    /// <c>{rootAlertId}/up{n}</c>) acknowledged. Returns how many rows it marked; rows already marked keep their first mark.
    /// </summary>
    public async Task<int> AcknowledgeAsync(string rootAlertId, string personId, CancellationToken ct = default)
    {
        var table = await storage.MailboxAsync();
        var at = clock.GetUtcNow();
        var marked = 0;
        var low = Keys.Escape(rootAlertId);
        await foreach (var e in table.QueryAsync<TableEntity>(r => r.RowKey.CompareTo(low) >= 0 && r.RowKey.CompareTo(low + "~") < 0, cancellationToken: ct))
        {
            var id = e.GetString("AlertId") ?? string.Empty;
            if ((id == rootAlertId || id.StartsWith(rootAlertId + "/up", StringComparison.Ordinal)) && e.GetString("AcknowledgedBy") is null)
            {
                e["AcknowledgedBy"] = personId;
                e["AcknowledgedAt"] = at;
                await table.UpdateEntityAsync(e, ETag.All, TableUpdateMode.Merge, ct);
                marked++;
            }
        }

        return marked;
    }

    /// <summary>Alerts for one audience (or all, when both are null), oldest first by id.</summary>
    public async Task<IReadOnlyList<MailboxItem>> ListAsync(string? role = null, string? unitId = null, CancellationToken ct = default)
    {
        var table = await storage.MailboxAsync();
        var filter = role is null || unitId is null ? null : TableClient.CreateQueryFilter($"PartitionKey eq {Keys.Escape(role) + "|" + Keys.Escape(unitId)}");
        var items = new List<MailboxItem>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            items.Add(new MailboxItem(
                e.GetString("Role") ?? "", e.GetString("UnitId") ?? "", e.GetString("AlertId") ?? "", e.GetString("Kind") ?? "",
                e.GetString("Subject") ?? "", e.GetString("Body") ?? "",
                Enum.TryParse<AlertUrgency>(e.GetString("Urgency"), out var u) ? u : AlertUrgency.Routine,
                e.GetString("Link"), e.GetString("SourceType") ?? "", e.GetString("SourceInstanceId") ?? "",
                e.GetDateTimeOffset("DeliveredAt") ?? default, e.GetString("AcknowledgedBy"), e.GetDateTimeOffset("AcknowledgedAt"),
                e.GetString("CaseId") ?? (e.GetString("SourceType") == "case" ? e.GetString("SourceInstanceId") : null),
                e.GetBoolean("Digested") ?? false));
        }

        return items;
    }
}
