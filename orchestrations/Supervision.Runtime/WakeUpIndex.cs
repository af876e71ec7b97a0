using System.Globalization;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace Supervision.Runtime;

/// <summary>One wake-up row of the index. <c>Kind</c> is <c>timer</c>, or <c>outbox</c> for the safety net that re-dispatches pending outbox rows.</summary>
public sealed record WakeUpRow(
    string PartitionKey, string RowKey, string Kind, string Type, string InstanceId, string TimerKey, int Generation, long DueTicks)
{
    /// <summary>Set on rows read back from the table: the row's ETag and the sweeper claim on it (ticks; 0 = unclaimed).</summary>
    public Azure.ETag ETag { get; init; }

    public long ClaimedUntilTicks { get; init; }

    public WakeUpRef ToRef() => new(TimerKey, Generation, DueTicks, PartitionKey, RowKey);
}

/// <summary>
/// The durable timer index (ARCHITECTURE.md §4.3): a table whose PartitionKey is <c>{bucket:yyyyMMddHHmm}|{shard:D2}</c>
/// (the due time floored to <see cref="RuntimeOptions.BucketSize"/>, and a stable hash of the instance modulo
/// <see cref="RuntimeOptions.WakeUpShards"/>), and whose RowKey is
/// <c>{dueTicks:D19}|{type}|{instanceId}|{timerKey}|{generation}|{version}</c>. Thousands of deadlines in one minute
/// spread over the shards; one range query (PartitionKey before the next bucket, RowKey before now) finds everything
/// due, oldest bucket first. Fired rows are deleted, so the range holds only what is pending.
/// </summary>
public sealed class WakeUpIndex(RuntimeStorage storage, IOptions<RuntimeOptions> options)
{
    public const string OutboxTimerKey = "$outbox";

    private readonly RuntimeOptions opts = options.Value;

    public WakeUpRow Create(string kind, string type, string instanceId, string timerKey, int generation, long dueTicks, long version)
    {
        var shard = (int)(Keys.StableHash(Keys.InstancePartition(type, instanceId)) % (uint)opts.WakeUpShards);
        var pk = Bucket(dueTicks) + "|" + shard.ToString("D2", CultureInfo.InvariantCulture);
        var rk = string.Join('|', Keys.Ticks(dueTicks), Keys.Escape(type), Keys.Escape(instanceId), Keys.Escape(timerKey),
            generation.ToString(CultureInfo.InvariantCulture), version.ToString(CultureInfo.InvariantCulture));
        return new WakeUpRow(pk, rk, kind, type, instanceId, timerKey, generation, dueTicks);
    }

    /// <summary>The bucket of a due time: <c>yyyyMMddHHmm</c> of the time floored to the bucket size.</summary>
    public string Bucket(long dueTicks)
    {
        var size = Math.Max(TimeSpan.TicksPerMinute, opts.BucketSize.Ticks - (opts.BucketSize.Ticks % TimeSpan.TicksPerMinute));
        return new DateTime(dueTicks - (dueTicks % size), DateTimeKind.Utc).ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);
    }

    public async Task UpsertAsync(IReadOnlyList<WakeUpRow> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }

        var table = await storage.WakeUpsAsync();
        foreach (var group in rows.GroupBy(r => r.PartitionKey, StringComparer.Ordinal))
        {
            foreach (var chunk in group.Chunk(TransactionGuard.MaxActions))
            {
                if (chunk.Length == 1)
                {
                    await table.UpsertEntityAsync(ToEntity(chunk[0]), TableUpdateMode.Replace, ct);
                    continue;
                }

                var actions = chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(r))).ToList();
                TransactionGuard.Validate(actions);
                await table.SubmitTransactionAsync(actions, ct);
            }
        }
    }

    public async Task DeleteAsync(IEnumerable<(string PartitionKey, string RowKey)> rows, CancellationToken ct)
    {
        var list = rows.ToList();
        if (list.Count == 0)
        {
            return;
        }

        var table = await storage.WakeUpsAsync();
        await TableBatches.DeleteAsync(table, list, ct);
    }

    /// <summary>Up to <paramref name="max"/> rows due at or before <paramref name="now"/>, oldest bucket first.</summary>
    public async Task<IReadOnlyList<WakeUpRow>> QueryDueAsync(DateTimeOffset now, int max, CancellationToken ct)
    {
        var table = await storage.WakeUpsAsync();
        var ticks = now.UtcTicks;
        var nextBucket = Bucket(ticks + Math.Max(TimeSpan.TicksPerMinute, opts.BucketSize.Ticks));
        var upper = Keys.Ticks(ticks + 1);
        var filter = TableClient.CreateQueryFilter($"PartitionKey lt {nextBucket} and RowKey lt {upper}");
        var due = new List<WakeUpRow>(Math.Min(max, 1000));
        await foreach (var page in table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(max, 1000), cancellationToken: ct).AsPages())
        {
            foreach (var e in page.Values)
            {
                due.Add(FromEntity(e));
                if (due.Count >= max)
                {
                    return due;
                }
            }
        }

        return due;
    }

    /// <summary>Whether a wake-up row still exists (operations view).</summary>
    public async Task<bool> ExistsAsync(string partitionKey, string rowKey, CancellationToken ct)
    {
        var table = await storage.WakeUpsAsync();
        var r = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, ["PartitionKey"], ct);
        return r.HasValue;
    }

    private static TableEntity ToEntity(WakeUpRow r) => new(r.PartitionKey, r.RowKey)
    {
        ["Format"] = InstanceStore.Format,
        ["Kind"] = r.Kind,
        ["Type"] = r.Type,
        ["InstanceId"] = r.InstanceId,
        ["TimerKey"] = r.TimerKey,
        ["Generation"] = r.Generation,
        ["DueTicks"] = r.DueTicks,
    };

    private static WakeUpRow FromEntity(TableEntity e) => new(
        e.PartitionKey, e.RowKey, e.GetString("Kind") ?? "timer", e.GetString("Type") ?? "", e.GetString("InstanceId") ?? "",
        e.GetString("TimerKey") ?? "", e.GetInt32("Generation") ?? 0, e.GetInt64("DueTicks") ?? 0)
    {
        ETag = e.ETag,
        ClaimedUntilTicks = e.GetInt64("ClaimedUntil") ?? 0,
    };

    /// <summary>
    /// Claims due rows for one sweeper: an ETag-conditional merge of <c>ClaimedUntil</c>, 100 rows per partition per
    /// transaction. A partition another sweeper claimed first fails with 412 and is skipped, so concurrent sweepers
    /// (several standalone hosts) do not all enqueue the same wake-ups. A claim expires, so a sweeper that dies between
    /// claim and enqueue delays those wake-ups by the claim time but never loses them.
    /// </summary>
    public async Task<IReadOnlyList<WakeUpRow>> ClaimAsync(IReadOnlyList<WakeUpRow> rows, DateTimeOffset until, CancellationToken ct)
    {
        var table = await storage.WakeUpsAsync();
        var claimed = new List<WakeUpRow>(rows.Count);
        foreach (var group in rows.GroupBy(r => r.PartitionKey, StringComparer.Ordinal))
        {
            foreach (var chunk in group.Chunk(TransactionGuard.MaxActions))
            {
                var actions = chunk.Select(r => new TableTransactionAction(
                    TableTransactionActionType.UpdateMerge, new TableEntity(r.PartitionKey, r.RowKey) { ["ClaimedUntil"] = until.UtcTicks }, r.ETag)).ToList();
                TransactionGuard.Validate(actions);
                try
                {
                    await table.SubmitTransactionAsync(actions, ct);
                    claimed.AddRange(chunk);
                }
                catch (Azure.RequestFailedException e) when (e.Status is 404 or 412)
                {
                    // Another sweeper claimed or deleted these rows first: they are in hand.
                }
            }
        }

        return claimed;
    }
}
