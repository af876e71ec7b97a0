using System.Globalization;
using Azure.Data.Tables;

namespace Supervision.Runtime;

/// <summary>A work message that could not be processed, kept for an operator.</summary>
public sealed record DeadLetter(string Id, string Body, string Reason, string Detail, string QueueMessageId, long DequeueCount, DateTimeOffset At);

/// <summary>
/// The visible dead-letter list (table <c>{prefix}deadletters</c>, PartitionKey <c>dl</c>, RowKey
/// <c>{ticks:D19}|{guid}</c>). Replay puts the original body back on the work queue (a fresh delivery count) and
/// removes the row; replaying is safe because processing is idempotent by message id.
/// </summary>
public sealed class DeadLetters(RuntimeStorage storage, TimeProvider clock)
{
    private const string Partition = "dl";

    public async Task<string> AddAsync(WorkMessage message, string reason, string detail, CancellationToken ct)
    {
        var table = await storage.DeadLettersAsync();
        var at = clock.GetUtcNow();
        var id = at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "|" + Guid.NewGuid().ToString("N");
        await table.AddEntityAsync(new TableEntity(Partition, id)
        {
            ["Body"] = message.Body,
            ["Reason"] = reason,
            ["Detail"] = detail.Length > 4000 ? detail[..4000] : detail,
            ["QueueMessageId"] = message.QueueMessageId,
            ["DequeueCount"] = message.DequeueCount,
            ["At"] = at,
        }, ct);
        return id;
    }

    public async Task<IReadOnlyList<DeadLetter>> ListAsync(int max = 1000, CancellationToken ct = default)
    {
        var table = await storage.DeadLettersAsync();
        var list = new List<DeadLetter>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), cancellationToken: ct))
        {
            list.Add(new DeadLetter(e.RowKey, e.GetString("Body") ?? "", e.GetString("Reason") ?? "", e.GetString("Detail") ?? "",
                e.GetString("QueueMessageId") ?? "", e.GetInt64("DequeueCount") ?? 0, e.GetDateTimeOffset("At") ?? default));
            if (list.Count >= max)
            {
                break;
            }
        }

        return list;
    }

    /// <summary>Re-enqueues one dead letter. Returns false when it no longer exists.</summary>
    public async Task<bool> ReplayAsync(string id, CancellationToken ct = default)
    {
        var table = await storage.DeadLettersAsync();
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition, id, cancellationToken: ct);
        if (!row.HasValue || row.Value is null)
        {
            return false;
        }

        var queue = await storage.WorkQueueAsync();
        await queue.SendMessageAsync(row.Value.GetString("Body") ?? "", ct);
        await table.DeleteEntityAsync(Partition, id, row.Value.ETag, ct);
        return true;
    }

    /// <summary>
    /// Moves messages the Functions host put on <c>{work queue}-poison</c> (after its own maxDequeueCount) into this
    /// list, so an operator sees and replays them in one place. Returns how many were moved.
    /// </summary>
    public async Task<int> ImportPoisonQueueAsync(CancellationToken ct = default)
    {
        var poison = storage.QueueService.GetQueueClient(storage.Options.WorkQueueName + "-poison");
        if (!(await poison.ExistsAsync(ct)).Value)
        {
            return 0;
        }

        var moved = 0;
        while (true)
        {
            var batch = (await poison.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(1), ct)).Value;
            if (batch.Length == 0)
            {
                return moved;
            }

            foreach (var m in batch)
            {
                await AddAsync(new WorkMessage(m.MessageId, m.Body.ToString(), m.DequeueCount), "host-poison", "moved from the Functions host's poison queue", ct);
                await poison.DeleteMessageAsync(m.MessageId, m.PopReceipt, ct);
                moved++;
            }
        }
    }

    public async Task<int> ReplayAllAsync(CancellationToken ct = default)
    {
        var n = 0;
        foreach (var d in await ListAsync(int.MaxValue, ct))
        {
            n += await ReplayAsync(d.Id, ct) ? 1 : 0;
        }

        return n;
    }
}
