using Supervision.Domain.Orchestration;

namespace Supervision.Runtime;

/// <summary>
/// Step 3 of a decision: dispatches outbox rows in order, then deletes them. Every effect is idempotent on
/// redelivery: a message carries the effect id as its message id (applied at most once by the target), an alert
/// carries it as the alert id, and read-model writes are version-guarded.
/// </summary>
public sealed class OutboxDispatcher(
    RuntimeStorage storage, InstanceStore store, ReadModelWriter readModels, IAlertSink alerts, IFaultInjector faults)
{
    public async Task DispatchAsync(string type, string instanceId, string partitionKey, IReadOnlyList<OutboxRow> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }

        foreach (var row in rows)
        {
            await DispatchOneAsync(type, instanceId, row, ct);
            await faults.OnAsync(FaultPoint.AfterOutboxDispatch, partitionKey, ct);
        }

        await store.DeleteOutboxAsync(partitionKey, rows.Select(r => r.RowKey).ToList(), ct);
    }

    /// <summary>The safety-net path: dispatch whatever the instance still holds.</summary>
    public async Task<int> DispatchPendingAsync(string type, string instanceId, CancellationToken ct)
    {
        var pk = Keys.InstancePartition(type, instanceId);
        var rows = await store.ReadOutboxAsync(pk, ct);
        await DispatchAsync(type, instanceId, pk, rows, ct);
        return rows.Count;
    }

    private async Task DispatchOneAsync(string type, string instanceId, OutboxRow row, CancellationToken ct)
    {
        switch (row.Kind)
        {
            case "send":
                var send = EffectCodec.Decode<SendData>(row.Data);
                var envelope = WorkEnvelope.ForCommand(send.TargetType, send.TargetInstanceId, row.EffectId, $"{type}/{instanceId}", send.Command.GetRawText());
                var queue = await storage.WorkQueueAsync();
                await queue.SendMessageAsync(envelope.ToJson(), ct);
                break;
            case "alert":
                var alert = EffectCodec.Decode<Alert>(row.Data);
                await alerts.DeliverAsync(new AlertDelivery(row.EffectId, type, instanceId, alert), ct);
                break;
            case "upsert":
                var u = EffectCodec.Decode<UpsertData>(row.Data);
                await readModels.UpsertAsync(u.Model, u.PartitionKey, u.RowKey, u.Version, u.Values.ToDictionary(kv => kv.Key, kv => EffectCodec.FromTyped(kv.Value), StringComparer.Ordinal), ct);
                break;
            case "delete":
                var d = EffectCodec.Decode<DeleteData>(row.Data);
                await readModels.DeleteAsync(d.Model, d.PartitionKey, d.RowKey, d.Version, ct);
                break;
            default:
                throw new NotSupportedException($"Unknown outbox row kind '{row.Kind}'.");
        }
    }
}
