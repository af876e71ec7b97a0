using Azure;
using Azure.Data.Tables;
using Supervision.Domain.Orchestration;

namespace Supervision.Orchestrations;

/// <summary>An alert to deliver, with its deterministic id (the effect id) so receivers can deduplicate.</summary>
public sealed record AlertDelivery(string AlertId, string SourceType, string SourceInstanceId, Alert Alert);

/// <summary>
/// Where <see cref="RaiseAlert"/> effects go. Delivery is at least once with the same <see cref="AlertDelivery.AlertId"/>;
/// an implementation must treat a repeated id as delivered. Throw to have the outbox retry later (the safety-net
/// wake-up, then the dead-letter list).
/// </summary>
public interface IAlertSink
{
    Task DeliverAsync(AlertDelivery delivery, CancellationToken cancellationToken);
}

/// <summary>One alert in the local mailbox.</summary>
public sealed record MailboxItem(string Role, string UnitId, string AlertId, string Kind, string Subject, string Body, AlertUrgency Urgency, string? Link, string SourceType, string SourceInstanceId, DateTimeOffset DeliveredAt);

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
                e.GetDateTimeOffset("DeliveredAt") ?? default));
        }

        return items;
    }
}
