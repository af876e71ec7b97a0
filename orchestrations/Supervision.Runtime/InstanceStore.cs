using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace Supervision.Runtime;

/// <summary>A wake-up row the instance's snapshot says exists for one of its timers.</summary>
public sealed record WakeUpRef(string Key, int Generation, long DueTicks, string PartitionKey, string RowKey);

/// <summary>The snapshot row of an instance as loaded.</summary>
public sealed record LoadedInstance(string PartitionKey, ETag ETag, long Version, string StateJson, IReadOnlyList<WakeUpRef> WakeUps);

/// <summary>An event row as stored (format version 1).</summary>
public sealed record StoredEvent(long Sequence, string EventType, string Data, string MessageId, string Actor, DateTimeOffset At, DateTimeOffset RecordedAt);

/// <summary>A pending effect row (format version 1).</summary>
public sealed record OutboxRow(string RowKey, long Sequence, string EffectId, string Kind, string Data);

internal sealed record NewEvent(long Sequence, string EventType, string Data);

/// <summary>
/// The instance partitions (ARCHITECTURE.md §4.2). PartitionKey <c>{type}|{instanceId}</c>; RowKeys: <c>s</c> snapshot,
/// <c>e|{seq:D19}</c> events (append-only audit trail, never updated or deleted), <c>o|{seq:D19}|{i:D3}</c> outbox,
/// <c>m|{messageId}</c> applied-message markers. Every decision commits as one entity-group transaction guarded by the
/// snapshot's ETag. All rows carry <c>Format</c> = 1.
/// </summary>
public sealed class InstanceStore(RuntimeStorage storage, TimeProvider clock)
{
    public const int Format = 1;

    public async Task<LoadedInstance?> LoadAsync(string partitionKey, CancellationToken ct)
    {
        var table = await storage.InstancesAsync();
        var r = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, Keys.SnapshotRow, cancellationToken: ct);
        if (!r.HasValue || r.Value is null)
        {
            return null;
        }

        var e = r.Value;
        CheckFormat(e);
        var wake = JsonSerializer.Deserialize<List<WakeUpRef>>(e.GetString("WakeUps") ?? "[]", WorkEnvelope.Json) ?? [];
        return new LoadedInstance(partitionKey, e.ETag, e.GetInt64("Version") ?? 0, e.GetString("State") ?? "null", wake);
    }

    public async Task<bool> IsAppliedAsync(string partitionKey, string messageId, CancellationToken ct)
    {
        var table = await storage.InstancesAsync();
        var r = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, Keys.MarkerRow(messageId), ["PartitionKey"], ct);
        return r.HasValue;
    }

    /// <summary>
    /// Commits one decision: snapshot (Add for a new instance, else Replace with If-Match), the message marker (Add),
    /// the events (Add) and the outbox rows (Add), all-or-nothing. 412: the snapshot moved on; 409: the instance was
    /// created concurrently or the message was already applied (the caller tells which by reading the marker).
    /// </summary>
    internal async Task CommitAsync(
        string partitionKey, string type, string instanceId, ETag? snapshotETag, long version, string stateJson,
        IReadOnlyList<WakeUpRef> wakeUps, string messageId, string actor, DateTimeOffset at,
        IReadOnlyList<NewEvent> events, IReadOnlyList<OutboxRow> outbox, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var snapshot = new TableEntity(partitionKey, Keys.SnapshotRow)
        {
            ["Format"] = Format,
            ["Type"] = type,
            ["InstanceId"] = instanceId,
            ["Version"] = version,
            ["State"] = stateJson,
            ["WakeUps"] = JsonSerializer.Serialize(wakeUps, WorkEnvelope.Json),
            ["UpdatedAt"] = now,
        };
        var actions = new List<TableTransactionAction>(events.Count + outbox.Count + 2)
        {
            snapshotETag is { } etag
                ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, snapshot, etag)
                : new TableTransactionAction(TableTransactionActionType.Add, snapshot),
            new(TableTransactionActionType.Add, new TableEntity(partitionKey, Keys.MarkerRow(messageId))
            {
                ["Format"] = Format,
                ["MessageId"] = messageId,
                ["Sequence"] = version,
            }),
        };
        foreach (var ev in events)
        {
            actions.Add(new(TableTransactionActionType.Add, new TableEntity(partitionKey, Keys.EventRow(ev.Sequence))
            {
                ["Format"] = Format,
                ["Sequence"] = ev.Sequence,
                ["EventType"] = ev.EventType,
                ["Data"] = ev.Data,
                ["MessageId"] = messageId,
                ["Actor"] = actor,
                ["At"] = at,
                ["RecordedAt"] = now,
            }));
        }

        foreach (var o in outbox)
        {
            actions.Add(new(TableTransactionActionType.Add, new TableEntity(partitionKey, o.RowKey)
            {
                ["Format"] = Format,
                ["Sequence"] = o.Sequence,
                ["EffectId"] = o.EffectId,
                ["Kind"] = o.Kind,
                ["Data"] = o.Data,
            }));
        }

        TransactionGuard.Validate(actions);
        var table = await storage.InstancesAsync();
        await table.SubmitTransactionAsync(actions, ct);
    }

    /// <summary>Events of an instance in sequence order (the audit trail).</summary>
    public async IAsyncEnumerable<StoredEvent> ReadEventsAsync(string partitionKey, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.InstancesAsync();
        await foreach (var e in table.QueryAsync<TableEntity>(Keys.PrefixFilter(partitionKey, Keys.EventPrefix), cancellationToken: ct))
        {
            CheckFormat(e);
            yield return new StoredEvent(
                e.GetInt64("Sequence") ?? 0, e.GetString("EventType") ?? "", e.GetString("Data") ?? "null",
                e.GetString("MessageId") ?? "", e.GetString("Actor") ?? "", e.GetDateTimeOffset("At") ?? default,
                e.GetDateTimeOffset("RecordedAt") ?? default);
        }
    }

    public async Task<IReadOnlyList<OutboxRow>> ReadOutboxAsync(string partitionKey, CancellationToken ct)
    {
        var table = await storage.InstancesAsync();
        var rows = new List<OutboxRow>();
        await foreach (var e in table.QueryAsync<TableEntity>(Keys.PrefixFilter(partitionKey, Keys.OutboxPrefix), cancellationToken: ct))
        {
            CheckFormat(e);
            rows.Add(new OutboxRow(e.RowKey, e.GetInt64("Sequence") ?? 0, e.GetString("EffectId") ?? "", e.GetString("Kind") ?? "", e.GetString("Data") ?? "null"));
        }

        return rows;
    }

    /// <summary>Deletes dispatched outbox rows, 100 per transaction; rows already gone are fine.</summary>
    public async Task DeleteOutboxAsync(string partitionKey, IReadOnlyList<string> rowKeys, CancellationToken ct)
    {
        if (rowKeys.Count == 0)
        {
            return;
        }

        var table = await storage.InstancesAsync();
        await TableBatches.DeleteAsync(table, rowKeys.Select(rk => (partitionKey, rk)), ct);
    }

    /// <summary>All snapshots of one orchestration type (for read-model rebuilds and operations).</summary>
    public async IAsyncEnumerable<(string InstanceId, long Version)> ListInstancesAsync(string type, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.InstancesAsync();
        var prefix = Keys.Escape(type) + "|";
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {Keys.PrefixEnd(prefix)} and RowKey eq {Keys.SnapshotRow}");
        await foreach (var e in table.QueryAsync<TableEntity>(filter, select: ["InstanceId", "Version"], cancellationToken: ct))
        {
            yield return (e.GetString("InstanceId") ?? "", e.GetInt64("Version") ?? 0);
        }
    }

    private static void CheckFormat(TableEntity e)
    {
        var format = e.GetInt32("Format");
        if (format != Format)
        {
            throw new NotSupportedException($"Row format {format?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} is not supported (expected {Format}).");
        }
    }
}

internal static class TableBatches
{
    /// <summary>Deletes rows grouped per partition, 100 per transaction; a batch that hits a missing row falls back to single deletes.</summary>
    public static async Task DeleteAsync(TableClient table, IEnumerable<(string PartitionKey, string RowKey)> rows, CancellationToken ct)
    {
        foreach (var group in rows.Distinct().GroupBy(r => r.PartitionKey, StringComparer.Ordinal))
        {
            foreach (var chunk in group.Chunk(TransactionGuard.MaxActions))
            {
                if (chunk.Length == 1)
                {
                    await DeleteOneAsync(table, chunk[0].PartitionKey, chunk[0].RowKey, ct);
                    continue;
                }

                var actions = chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(r.PartitionKey, r.RowKey), ETag.All)).ToList();
                TransactionGuard.Validate(actions);
                try
                {
                    await table.SubmitTransactionAsync(actions, ct);
                }
                catch (RequestFailedException e) when (e.Status == 404)
                {
                    foreach (var r in chunk)
                    {
                        await DeleteOneAsync(table, r.PartitionKey, r.RowKey, ct);
                    }
                }
            }
        }
    }

    private static async Task DeleteOneAsync(TableClient table, string pk, string rk, CancellationToken ct)
    {
        try
        {
            await table.DeleteEntityAsync(pk, rk, ETag.All, ct);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Already gone (another host, or an earlier attempt): the goal is reached.
        }
    }
}
